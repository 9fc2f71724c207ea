"""The compatibility guard: `buf breaking` against the committed image of the released contract.

proto/baseline/sessioncore-v1.binpb is the `buf build` image of sessioncore.v1 as
released. Comparing the tree with it (not with main, which in CI is the tree itself)
makes a breaking change fail here. The guard is shown to work both ways: the real tree
passes, and deliberately broken copies of proto/ fail, each naming what broke.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

BASELINE = Path("proto") / "baseline" / "sessioncore-v1.binpb"
CONTRACT = Path("sessioncore") / "v1" / "session_service.proto"


def _buf_breaking(workspace: Path, baseline: Path) -> subprocess.CompletedProcess[str]:
    buf = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "buf"
    if not buf.exists():
        # Never a skip: a missing guard must not turn into a green run.
        pytest.fail(f"{buf} is missing: run scripts/test (it runs `npm ci`)")
    return subprocess.run(
        [str(buf), "breaking", "--against", str(baseline)],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _broken_copy(repo_root: Path, tmp_path: Path, old: str, new: str) -> Path:
    """A copy of buf.yaml and proto/ in which `old` (found exactly once) became `new`."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copy2(repo_root / "buf.yaml", workspace / "buf.yaml")
    shutil.copytree(repo_root / "proto", workspace / "proto")
    contract = workspace / "proto" / CONTRACT
    text = contract.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"expected {old!r} once in {CONTRACT}"
    contract.write_text(text.replace(old, new), encoding="utf-8")
    return workspace


def test_baseline_image_is_committed(repo_root: Path) -> None:
    baseline = repo_root / BASELINE
    assert baseline.is_file() and baseline.stat().st_size > 0, f"{BASELINE} is missing"


def test_the_tree_is_compatible_with_the_released_contract(repo_root: Path) -> None:
    result = _buf_breaking(repo_root, repo_root / BASELINE)
    assert result.returncode == 0, f"buf breaking failed:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        pytest.param(
            "string refresh_token = 1;\n  string anti_csrf_token = 2;",
            "string refresh_token = 7;\n  string anti_csrf_token = 2;",
            "RefreshSessionRequest",
            id="renumbered-field",
        ),
        pytest.param(
            "  // Also check that the session is live in storage.\n  bool check_database = 4;\n",
            "",
            "check_database",
            id="removed-field",
        ),
        pytest.param(
            "OUTCOME_TOKEN_THEFT_DETECTED = 4;",
            "OUTCOME_TOKEN_THEFT_DETECTED = 5;",
            'enum value "4" on enum "Outcome"',
            id="renumbered-enum-value",
        ),
        pytest.param(
            "  rpc GetJwks(GetJwksRequest) returns (GetJwksResponse);\n",
            "",
            "GetJwks",
            id="removed-rpc",
        ),
    ],
)
def test_the_guard_fails_on_a_breaking_change(
    repo_root: Path, tmp_path: Path, old: str, new: str, named: str
) -> None:
    workspace = _broken_copy(repo_root, tmp_path, old, new)
    result = _buf_breaking(workspace, repo_root / BASELINE)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"buf breaking accepted a breaking change:\n{output}"
    assert named in output, f"buf breaking did not name {named!r}:\n{output}"


def test_the_guard_accepts_an_added_field(repo_root: Path, tmp_path: Path) -> None:
    workspace = _broken_copy(
        repo_root,
        tmp_path,
        "message GetSessionRequest {\n  string handle = 1;\n}",
        "message GetSessionRequest {\n  string handle = 1;\n  bool include_data = 2;\n}",
    )
    result = _buf_breaking(workspace, repo_root / BASELINE)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"buf breaking refused an additive change:\n{output}"
