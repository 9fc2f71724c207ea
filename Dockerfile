# The session-core image: the core with its PostgreSQL and MongoDB stores, and the web
# gateway (`session-core-gateway`, the `gateway` extra) with the driver's Flask
# integration (the `flask` extra). The default command runs the core; the gateway runs
# from the same image with its own command (see docker-compose.yml).
# Build: docker build -t session-core .   Run: see docker-compose.yml.
FROM python:3.11-slim

# Only what the distribution needs (.dockerignore keeps the rest out of the context).
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY core_server ./core_server
COPY sessioncore ./sessioncore
COPY plugins ./plugins
COPY python_driver ./python_driver
COPY web_gateway ./web_gateway
RUN pip install --no-cache-dir '.[postgres,mongodb,gateway,flask]' \
    && rm -rf /src
COPY docker/healthcheck.py /usr/local/lib/session-core/healthcheck.py

# Not root; the data directory holds nothing secret when secrets come from the environment.
RUN useradd --system --home-dir /var/lib/session-core --create-home session-core
USER session-core
WORKDIR /var/lib/session-core
ENV SESSION_CORE_DATA_DIR=/var/lib/session-core \
    PYTHONUNBUFFERED=1

# The core's default port (core_server.config.DEFAULT_PORT).
EXPOSE 7380
# The gateway's default port (session_core_gateway.cli.DEFAULT_PORT), when the image runs it.
EXPOSE 7390
# The core's check; a service running the gateway replaces it (it serves no gRPC).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/usr/local/lib/session-core/healthcheck.py"]
# Every interface of the container: publish the port only to your API servers' network.
CMD ["session-core", "serve", "--host", "0.0.0.0"]
