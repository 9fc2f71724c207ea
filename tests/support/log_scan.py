"""Find token-shaped strings and known secrets in log files.

Shapes (encoded here, from the token formats; tests never read the design docs):

* access token: a JWT, `eyJ...` header, a dot, `eyJ...` claims;
* refresh token: `scr1_` and base64url;
* anti-CSRF token: exactly 43 base64url characters (a SHA-256 HMAC) standing alone,
  mixing upper case, lower case and digits, as 256 random bits practically always do
  (a long identifier such as `refresh_token_generation_...` does not);
* the exact API keys and master secrets of every deployment the tests started.

Findings name the file, line and kind, never the value: a failure message is a log too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ")
REFRESH_TOKEN = re.compile(r"scr1_[A-Za-z0-9_-]{16,}")
BASE64URL_43 = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_=-])")
_CLASSES = (re.compile(r"[A-Z]"), re.compile(r"[a-z]"), re.compile(r"[0-9]"))


@dataclass(frozen=True)
class Finding:
    path: Path
    line_number: int
    kind: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line_number}: {self.kind}"


@dataclass
class ScanResult:
    files: int = 0
    lines: int = 0
    findings: list[Finding] = field(default_factory=list)


def kinds_in(line: str, secrets: Sequence[str]) -> list[str]:
    """The kinds of token or secret found in one line (empty when clean)."""
    found = []
    if JWT.search(line):
        found.append("access token (JWT)")
    if REFRESH_TOKEN.search(line):
        found.append("refresh token")
    if any(_looks_random(m.group(0)) for m in BASE64URL_43.finditer(line)):
        found.append("anti-CSRF token (43 base64url characters)")
    if any(secret in line for secret in secrets):
        found.append("API key or master secret")
    return found


def scan_files(paths: Iterable[Path], secrets: Sequence[str]) -> ScanResult:
    """Scan every line of every existing file in `paths`."""
    result = ScanResult()
    for path in paths:
        if not path.exists():
            continue
        result.files += 1
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                result.lines += 1
                result.findings.extend(Finding(path, number, k) for k in kinds_in(line, secrets))
    return result


def _looks_random(candidate: str) -> bool:
    return all(pattern.search(candidate) for pattern in _CLASSES)
