"""A third-party store, built and installed as its own distribution, is loaded by name.

`tests/fixtures/third_party_store` is a plugin distribution (`session-core-memo-store`)
declaring `memo` in the `session_core.storage` entry-point group. It is built and
installed offline (`pip install --no-deps --no-build-isolation`) into a fresh virtual
environment under the test's temporary directory, which sees the project's own packages
through a `.pth` file, so the project's environment is never touched. In that
environment the registry lists and opens the plugin, and `python -m core_server serve
--storage memo` serves sessions from it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from core_server.storage import registry
from sessioncore.v1 import session_service_pb2 as pb
from tests.support.core_process import REPO_ROOT, CoreProcess, CoreSecrets
from tests.support.grpc_helpers import create_session, refresh_tokens, verify_tokens
from tests.support.storage import SqliteInspector, session_row

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "third_party_store"
INSTALL_TIMEOUT_SECONDS = 60

pytestmark = pytest.mark.timeout(120)


@dataclass(frozen=True)
class PluginEnvironment:
    python: Path


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS, check=False
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> PluginEnvironment:
    """A fresh venv seeing the project's packages, with the memo plugin installed in it."""
    root = tmp_path_factory.mktemp("third-party")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    # The project's environment (its editable install, grpc, pip, setuptools) as a site dir.
    project_site = sysconfig.get_paths()["purelib"]
    (Path(purelib.stdout.strip()) / "session_core_project.pth").write_text(
        f"import site; site.addsitedir({project_site!r})\n", encoding="utf-8"
    )
    # Built from a copy: an in-tree build leaves build/ and *.egg-info behind.
    source = root / "source"
    shutil.copytree(FIXTURE, source, ignore=shutil.ignore_patterns("__pycache__"))
    _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
            str(source),
        ]
    )
    return PluginEnvironment(python)


# Run in the plugin's environment: what the registry finds there, and one round trip.
_REGISTRY_PROBE = """
import json, sys
from core_server.errors import ConfigError
from core_server.storage import registry
from core_server.storage.base import SessionStore

store_class = registry.load("memo")
store = registry.open_store("memo", "memo://" + sys.argv[1])
try:
    keys = store.list_keys()
    is_store = isinstance(store, SessionStore)
finally:
    store.close()
try:
    registry.open_store("memo", "sqlite:///elsewhere.db")
    refused = ""
except ConfigError as exc:
    refused = str(exc)
print(json.dumps({
    "available": registry.available(),
    "class": f"{store_class.__module__}.{store_class.__qualname__}",
    "is_store": is_store,
    "keys": len(keys),
    "refused": refused,
}))
"""


def test_the_registry_lists_and_opens_an_installed_third_party_store(
    plugin_env: PluginEnvironment, tmp_path: Path
) -> None:
    database = tmp_path / "probe.db"
    probe = _run([str(plugin_env.python), "-c", _REGISTRY_PROBE, str(database)])
    found = json.loads(probe.stdout)
    assert found["available"] == ["memo", "mongodb", "postgres", "sqlite"]
    assert found["class"] == "session_core_memo.MemoStore"
    assert found["is_store"] is True
    assert found["keys"] == 0
    assert "storage_url" in found["refused"] and "memo" in found["refused"]
    assert database.exists()  # the schema was created where the memo URL said
    # The project's own environment was not changed.
    assert "memo" not in registry.available()


@dataclass
class PluginCore(CoreProcess):
    """A core run by another interpreter: the plugin environment's."""

    python: Path = Path(sys.executable)

    def _command(self) -> list[str]:
        return [str(self.python), *super()._command()[1:]]


def test_a_core_started_with_storage_memo_serves_sessions_from_the_plugin(
    plugin_env: PluginEnvironment, tmp_path: Path
) -> None:
    database = tmp_path / "memo-sessions.db"
    core = PluginCore(
        root=tmp_path,
        config={},
        secrets=CoreSecrets.generate(),
        args=("--storage", "memo", "--storage-url", f"memo://{database}"),
        python=plugin_env.python,
    )
    core.start()
    try:
        api = core.stub()
        created = create_session(api, "memo-user")
        refreshed = refresh_tokens(api, created.tokens)
        assert refreshed.outcome == pb.OUTCOME_OK
        assert verify_tokens(api, refreshed.tokens, check_database=True).outcome == pb.OUTCOME_OK
    finally:
        code = core.stop()
    assert code == 0, core.stderr_text()[-2000:]
    # The session is in the file the memo URL named, one rotation on.
    row = session_row(SqliteInspector(database), created.session.handle)
    assert row.values["generation"] == 1
    assert not (core.data_dir / "sessions.sqlite3").exists()
