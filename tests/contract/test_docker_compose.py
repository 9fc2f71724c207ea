"""docker-compose.yml and the Dockerfile agree with what the core and the gateway read.

No container engine runs here, so the files are checked statically: the services and
their health checks, that every `SESSION_CORE_*` name is a setting the core or the
gateway reads (the core's environment, once compose has filled in the secrets, builds a
valid `Config`; the gateway's command parses with the gateway's own argparse parser and,
with its environment, builds valid driver and gateway settings), that secrets are never
written into the file, that the ports are the core's and the gateway's default ports,
and that the Dockerfile copies what exists, installs the extras and starts the installed
command. The health-check script the image runs is run for real against a core on
loopback, and the gateway's health-check one-liner against a stub HTTP server.

PyYAML is not a dependency, so `read_yaml` reads the small YAML subset the compose
file keeps to: block mappings, block lists of scalars, JSON-style flow lists and
quoted scalars, and whole-line comments.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.server
import json
import re
import secrets
import shlex
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from flask import Flask

from core_server.config import DEFAULT_PORT, ENV_PREFIX, Config
from core_server.config_sources import (
    CLIENT_ENVIRONMENT,
    from_settings,
    merge_sources,
    unknown_environment,
)
from core_server.storage import registry
from examples.common import serving as example_serving
from session_core_driver.flask.settings import PREFIX as DRIVER_PREFIX
from session_core_driver.flask.settings import read_settings
from session_core_driver.web.settings import DEFAULTS as DRIVER_DEFAULTS
from session_core_gateway import cli as gateway_cli
from session_core_gateway.health import HEALTH_PATH
from session_core_gateway.keys import API_KEY_VARIABLE, DATA_DIR_VARIABLE
from session_core_gateway.settings import PREFIX as GATEWAY_PREFIX
from session_core_gateway.settings import GatewaySettings, read_gateway_settings
from session_core_mongodb.url import parse_url as parse_mongodb_url
from session_core_postgres.url import parse_url as parse_postgres_url
from tests.support.core_process import REPO_ROOT, CoreFactory
from tests.support.postgres import free_port

COMPOSE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
HEALTHCHECK = REPO_ROOT / "docker" / "healthcheck.py"
# Inside a container the core must listen on every interface; compose publishes it.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - compared with, never bound
LOOPBACK = "127.0.0.1"
CORE_SERVICES = {"core": "postgres", "core-mongodb": "mongodb"}
DATABASE_SERVICES = {"postgres", "mongodb"}
GATEWAY = "gateway"
GATEWAY_SCRIPT = "session-core-gateway"
# Compose's "fail unless set" interpolation: ${NAME:?message}.
REQUIRED_VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*):\?[^}]*\}")
SECRET_NAMES = (
    "SESSION_CORE_API_KEYS",
    "SESSION_CORE_MASTER_SECRETS",
    "POSTGRES_PASSWORD",
    API_KEY_VARIABLE,
)
# What a written-in secret would look like: an API key, a master secret, a password in a URL.
WRITTEN_SECRET = re.compile(
    r"sck-[A-Za-z0-9_-]{8,}|\bm\d+:[A-Za-z0-9_-]{16,}|://[^/@\s:]+:[^$@\s]+@"
)

# Every SESSION_CORE_* name the gateway reads: the driver's settings (the gateway is the
# Flask extension's views), the gateway's own settings, the keys its flags set and the
# variables its API key comes from (the key, or the zero-config core's data directory).
GATEWAY_READS = frozenset(
    {DRIVER_PREFIX + key for key in DRIVER_DEFAULTS}
    | {GATEWAY_PREFIX + field.name.upper() for field in dataclasses.fields(GatewaySettings)}
    | {gateway_cli.ENV_PREFIX + key for key in gateway_cli.FLAG_KEYS.values()}
    | {API_KEY_VARIABLE, DATA_DIR_VARIABLE}
)

Yaml = Any

# -- a reader for the compose file's YAML subset --------------------------------------


def read_yaml(text: str) -> Yaml:
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        assert "\t" not in raw, f"line {number}: tabs are not YAML indentation"
        lines.append((len(raw) - len(raw.lstrip(" ")), stripped, number))
    value, end = _block(lines, 0, lines[0][0])
    assert end == len(lines), f"line {lines[end][2]}: unexpected indentation"
    return value


def _block(lines: list[tuple[int, str, int]], i: int, indent: int) -> tuple[Yaml, int]:
    if lines[i][1].startswith("- "):
        items = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
            items.append(_scalar(lines[i][1][2:].strip(), lines[i][2]))
            i += 1
        return items, i
    mapping: dict[str, Yaml] = {}
    while i < len(lines) and lines[i][0] == indent:
        _, content, number = lines[i]
        key, colon, rest = content.partition(":")
        assert colon and key and " " not in key, f"line {number}: expected KEY: VALUE"
        assert key not in mapping, f"line {number}: {key} given twice"
        i += 1
        if rest.strip():
            mapping[key] = _scalar(rest.strip(), number)
        elif i < len(lines) and lines[i][0] > indent:
            mapping[key], i = _block(lines, i, lines[i][0])
        else:
            mapping[key] = None
    return mapping, i


def _scalar(text: str, number: int) -> Yaml:
    if text.startswith(("[", '"')):
        return json.loads(text)
    if text.startswith("'"):
        assert text.endswith("'"), f"line {number}: unterminated quote"
        return text[1:-1].replace("''", "'")
    assert " #" not in text, f"line {number}: keep comments on lines of their own"
    return text


# -- fixtures and helpers -------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> Yaml:
    return read_yaml(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: Yaml) -> dict[str, Yaml]:
    found: dict[str, Yaml] = compose["services"]
    return found


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    logical = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in logical.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            found.append((instruction.upper(), arguments.strip()))
    return found


def instruction_arguments(name: str) -> list[str]:
    return [found for instruction, found in dockerfile_instructions() if instruction == name]


def image_environment() -> dict[str, str]:
    """The variables the Dockerfile's ENV instructions set (NAME=VALUE form)."""
    found = {}
    for arguments in instruction_arguments("ENV"):
        for word in shlex.split(arguments):
            name, equals, value = word.partition("=")
            assert equals, f"ENV {arguments}: use the NAME=VALUE form"
            found[name] = value
    return found


def filled_in(environment: Mapping[str, str]) -> dict[str, str]:
    """The environment as compose passes it, with valid stand-ins for the secrets."""
    stand_ins = {
        "SESSION_CORE_API_KEYS": f"sck-{secrets.token_urlsafe(24)}",
        "SESSION_CORE_MASTER_SECRETS": f"m1:{secrets.token_urlsafe(32)}",
        "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
        API_KEY_VARIABLE: f"sck-{secrets.token_urlsafe(24)}",
    }
    return {
        name: REQUIRED_VARIABLE.sub(lambda m: stand_ins[m.group(1)], str(value))
        for name, value in environment.items()
    }


# -- the compose file -----------------------------------------------------------------


def test_the_reader_reads_the_yaml_subset_the_compose_file_uses() -> None:
    text = (
        'a:\n  # note\n  b: x:y\n  c:\n    - "1"\n    - two\n  d: ["p", "q"]\n  e:\n'
        "f: 'it''s'\n"
    )
    assert read_yaml(text) == {
        "a": {"b": "x:y", "c": ["1", "two"], "d": ["p", "q"], "e": None},
        "f": "it's",
    }


def test_compose_runs_a_core_per_store_beside_its_database(services: dict[str, Yaml]) -> None:
    assert set(services) == set(CORE_SERVICES) | DATABASE_SERVICES | {GATEWAY}
    for core, database in CORE_SERVICES.items():
        assert services[core]["depends_on"] == {database: {"condition": "service_healthy"}}
    # MongoDB is opt-in: both of its services sit in the `mongodb` profile.
    assert services["core-mongodb"]["profiles"] == services["mongodb"]["profiles"] == ["mongodb"]
    assert "profiles" not in services["core"] and "profiles" not in services["postgres"]


def test_every_service_has_a_health_check(services: dict[str, Yaml]) -> None:
    for name, service in services.items():
        test = service.get("healthcheck", {}).get("test")
        assert isinstance(test, list) and test[0] == "CMD" and len(test) > 1, name


def test_every_session_core_variable_named_anywhere_is_a_setting_the_core_or_gateway_reads(
    services: dict[str, Yaml],
) -> None:
    text = COMPOSE.read_text(encoding="utf-8") + DOCKERFILE.read_text(encoding="utf-8")
    named = set(re.findall(r"\bSESSION_CORE_[A-Z0-9_]+", text))
    fields = {f"{ENV_PREFIX}{name.upper()}" for name in Config.__dataclass_fields__}
    assert named, "no SESSION_CORE_* variable found"
    unknown = named - CLIENT_ENVIRONMENT - GATEWAY_READS - fields
    assert not unknown, unknown
    for core in CORE_SERVICES:
        assert unknown_environment(services[core]["environment"]) == []
    assert unknown_environment(image_environment()) == []


def test_each_core_environment_builds_a_valid_config_for_its_store(
    services: dict[str, Yaml],
) -> None:
    parsers = {"postgres": parse_postgres_url, "mongodb": parse_mongodb_url}
    for core, store in CORE_SERVICES.items():
        # What the process sees: the image's variables, then the service's.
        environment = image_environment() | filled_in(services[core]["environment"])
        config = from_settings(merge_sources(None, environment, {}))
        assert config.storage == store and store in registry.available()
        assert config.port == DEFAULT_PORT and config.host == ALL_INTERFACES
        assert str(config.data_dir) == "/var/lib/session-core"
        parsers[store](config.storage_url)  # raises ValueError for a URL the store refuses
        database_host = config.storage_url.split("@")[-1].split("//")[-1].split(":")[0]
        assert database_host == store, f"{core} must reach the {store} service by name"


def test_secrets_come_from_the_environment_never_from_the_file(
    services: dict[str, Yaml],
) -> None:
    for service in services.values():
        for name, value in (service.get("environment") or {}).items():
            if name in SECRET_NAMES:
                assert REQUIRED_VARIABLE.fullmatch(str(value)), f"{name} must be ${{{name}:?...}}"
    # Nothing shaped like a key, a master secret or a URL password, comments included.
    text = COMPOSE.read_text(encoding="utf-8") + DOCKERFILE.read_text(encoding="utf-8")
    assert WRITTEN_SECRET.findall(text) == []
    # The gateway's key comes from SESSION_CORE_API_KEY only: no key file in the command.
    assert REQUIRED_VARIABLE.fullmatch(services[GATEWAY]["environment"][API_KEY_VARIABLE])
    assert not any(word.startswith("--api-key") for word in services[GATEWAY]["command"])
    # The PostgreSQL password reaches the core's URL only through the same variable.
    url = str(services["core"]["environment"]["SESSION_CORE_STORAGE_URL"])
    match = REQUIRED_VARIABLE.search(url)
    assert match is not None and match.group(1) == "POSTGRES_PASSWORD"


def test_cores_publish_the_default_port_on_loopback_only(services: dict[str, Yaml]) -> None:
    published = []
    for core in CORE_SERVICES:
        (mapping,) = services[core]["ports"]
        host, host_port, container_port = mapping.split(":")
        assert host == "127.0.0.1" and int(container_port) == DEFAULT_PORT
        published.append(int(host_port))
        assert services[core]["healthcheck"]["test"][-1] == f"127.0.0.1:{DEFAULT_PORT}"
    assert len(set(published)) == len(published), "two cores on one host port"
    for database in DATABASE_SERVICES:
        assert "ports" not in services[database], f"{database} must stay on the compose network"


# -- the gateway service --------------------------------------------------------------


def gateway_arguments(services: dict[str, Yaml]) -> argparse.Namespace:
    """The gateway's command, parsed by the gateway's own parser (argparse exits on error)."""
    command = services[GATEWAY]["command"]
    assert isinstance(command, list) and all(isinstance(word, str) for word in command)
    assert command[0] == GATEWAY_SCRIPT
    return gateway_cli.parser().parse_args(command[1:])


def published(service: Yaml) -> tuple[str, int, int]:
    (mapping,) = service["ports"]
    host, host_port, container_port = mapping.split(":")
    return host, int(host_port), int(container_port)


def test_the_gateway_runs_from_the_core_image_once_the_core_is_healthy(
    services: dict[str, Yaml],
) -> None:
    gateway = services[GATEWAY]
    assert gateway["image"] == services["core"]["image"]
    assert gateway["build"] == services["core"]["build"]
    assert gateway["depends_on"] == {"core": {"condition": "service_healthy"}}
    assert "profiles" not in gateway


def test_the_gateway_command_parses_with_the_gateway_parser(services: dict[str, Yaml]) -> None:
    args = gateway_arguments(services)
    assert args.host == ALL_INTERFACES
    assert args.port == gateway_cli.DEFAULT_PORT
    # The core service by name, on the core's default port.
    assert args.core == f"core:{DEFAULT_PORT}"
    # The origin browsers reach it at: the address compose publishes on the host.
    host, host_port, _ = published(services[GATEWAY])
    assert args.api_origin == f"http://{host}:{host_port}"
    assert args.api_key_file is None


def test_every_gateway_variable_is_one_the_gateway_reads(services: dict[str, Yaml]) -> None:
    environment = services[GATEWAY]["environment"]
    assert set(environment) <= GATEWAY_READS, set(environment) - GATEWAY_READS
    assert REQUIRED_VARIABLE.fullmatch(environment[API_KEY_VARIABLE])
    # The names derived from the code include what docs/gateway.md documents.
    documented = (REPO_ROOT / "docs" / "gateway.md").read_text(encoding="utf-8")
    assert set(re.findall(r"`(SESSION_CORE_[A-Z0-9_]*[A-Z0-9])`", documented)) <= GATEWAY_READS


def test_the_gateway_command_and_environment_build_valid_settings(
    services: dict[str, Yaml],
) -> None:
    # What the process sees: the image's variables, then the service's.
    environment = image_environment() | filled_in(services[GATEWAY]["environment"])
    config = gateway_cli.build_config(gateway_arguments(services), environment)
    assert config[API_KEY_VARIABLE] == environment[API_KEY_VARIABLE]
    read_gateway_settings(config)  # raises WebConfigError naming a bad setting
    app = Flask(__name__)
    app.config.update(config)
    settings = read_settings(app, need_api_key=True)  # as the gateway's extension reads them
    assert settings.core.target == f"core:{DEFAULT_PORT}"
    assert settings.web.api_origin == "http://127.0.0.1:7390"


def test_the_gateway_publishes_its_default_port_on_loopback_only(
    services: dict[str, Yaml],
) -> None:
    host, host_port, container_port = published(services[GATEWAY])
    assert host == LOOPBACK and container_port == gateway_cli.DEFAULT_PORT
    host_ports = [published(services[name])[1] for name in (*CORE_SERVICES, GATEWAY)]
    assert len(set(host_ports)) == len(host_ports), "two services on one host port"
    assert host_port == gateway_cli.DEFAULT_PORT


def gateway_health_code(services: dict[str, Yaml]) -> str:
    test = services[GATEWAY]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"] and len(test) == 4
    code: str = test[3]
    compile(code, "<healthcheck>", "exec")
    return code


def test_the_gateway_health_check_asks_its_health_route_with_the_standard_library(
    services: dict[str, Yaml],
) -> None:
    code = gateway_health_code(services)
    # The image has no curl: python's urllib, on the gateway's own port and /health.
    assert "urllib.request" in code
    assert f"'http://{LOOPBACK}:{gateway_cli.DEFAULT_PORT}{HEALTH_PATH}'" in code
    assert "curl" not in " ".join(instruction_arguments("RUN"))


class _Health(http.server.BaseHTTPRequestHandler):
    """200 on /health, 503 (as the gateway without its core) on /down/health."""

    def do_GET(self) -> None:
        self.send_response(200 if self.path == HEALTH_PATH else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_gateway_health_check_passes_on_200_and_fails_on_503_or_no_answer(
    services: dict[str, Yaml], health_server: str
) -> None:
    code = gateway_health_code(services)
    url = f"http://{LOOPBACK}:{gateway_cli.DEFAULT_PORT}{HEALTH_PATH}"

    def check(replacement: str) -> int:
        return subprocess.run(
            [sys.executable, "-c", code.replace(url, replacement)],
            capture_output=True,
            timeout=30,
            check=False,
        ).returncode

    assert check(health_server + HEALTH_PATH) == 0
    assert check(health_server + "/down" + HEALTH_PATH) == 1
    assert check(f"http://{LOOPBACK}:{free_port()}{HEALTH_PATH}") == 1


def test_the_example_app_is_no_service_while_it_binds_loopback_only(
    services: dict[str, Yaml],
) -> None:
    # examples/common/serving.py binds 127.0.0.1 inside the container, which compose
    # cannot publish: once the example can bind another address from its environment,
    # add it as a service (and copy examples/ into the image) and update this test.
    assert example_serving.HOST == LOOPBACK
    assert not any("examples" in str(service.get("command")) for service in services.values())


# -- the Dockerfile -------------------------------------------------------------------


def test_the_dockerfile_builds_the_project_and_serves_on_the_default_port() -> None:
    assert instruction_arguments("FROM") == ["python:3.11-slim"]
    assert instruction_arguments("EXPOSE") == [str(DEFAULT_PORT), str(gateway_cli.DEFAULT_PORT)]
    (cmd,) = instruction_arguments("CMD")
    assert json.loads(cmd) == ["session-core", "serve", "--host", ALL_INTERFACES]
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "session-core" in project["project"]["scripts"]
    assert project["project"]["scripts"][GATEWAY_SCRIPT] == "session_core_gateway.cli:main"
    (install,) = [found for found in instruction_arguments("RUN") if "pip install" in found]
    (target,) = [word for word in shlex.split(install) if word.startswith(".[")]
    extras = set(target.removeprefix(".[").removesuffix("]").split(","))
    expected = {"postgres", "mongodb", "gateway", "flask"}
    assert extras == expected <= set(project["project"]["optional-dependencies"])
    (healthcheck,) = instruction_arguments("HEALTHCHECK")
    assert json.loads(healthcheck.partition("CMD ")[2])[-1].endswith("/healthcheck.py")


def test_every_path_the_dockerfile_copies_exists_and_the_package_dirs_are_all_copied() -> None:
    copied = []
    for arguments in instruction_arguments("COPY"):
        *sources, _ = arguments.split()
        copied += sources
    for source in copied:
        assert (REPO_ROOT / source).exists(), source
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for package_dir in project["tool"]["setuptools"]["package-dir"].values():
        top = package_dir.split("/")[0]
        assert top == "." or top in copied, f"{package_dir} is not copied into the image"
    for package in project["tool"]["setuptools"]["packages"]:
        if "." not in package and package not in project["tool"]["setuptools"]["package-dir"]:
            assert package in copied, f"package {package} is not copied into the image"


def test_the_compose_health_check_runs_the_script_the_image_installs(
    services: dict[str, Yaml],
) -> None:
    (line,) = [a for a in instruction_arguments("COPY") if "healthcheck.py" in a]
    source, destination = line.split()
    assert REPO_ROOT / source == HEALTHCHECK
    for core in CORE_SERVICES:
        assert services[core]["healthcheck"]["test"][1:3] == ["python", destination]


# -- the health-check script, for real ------------------------------------------------


def test_the_health_check_script_passes_on_a_serving_core_and_fails_without_one(
    core_factory: CoreFactory,
) -> None:
    core = core_factory.start()

    def check(target: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(HEALTHCHECK), target],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    assert check(core.target).returncode == 0
    refused = check(f"127.0.0.1:{free_port()}")
    assert refused.returncode == 1 and "unhealthy" in refused.stderr
