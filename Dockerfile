# The session-core image: the core with its PostgreSQL and MongoDB stores.
# Build: docker build -t session-core .   Run: see docker-compose.yml.
FROM python:3.11-slim

# Only what the distribution needs (.dockerignore keeps the rest out of the context).
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY core_server ./core_server
COPY sessioncore ./sessioncore
COPY plugins ./plugins
COPY python_driver ./python_driver
RUN pip install --no-cache-dir '.[postgres,mongodb]' \
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
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/usr/local/lib/session-core/healthcheck.py"]
# Every interface of the container: publish the port only to your API servers' network.
CMD ["session-core", "serve", "--host", "0.0.0.0"]
