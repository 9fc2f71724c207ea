"""One strict JSON dialect for everything the core parses or signs.

Parsers disagree on duplicate keys and on NaN/Infinity, so we accept neither: a
document then means the same thing to every verifier and every storage backend.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn


def loads(text: str) -> Any:
    """Parse JSON, raising ValueError on duplicate keys, NaN or Infinity.

    RecursionError still escapes for absurdly deep documents; callers bound the size.
    """
    return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)


def dumps(value: Any) -> str:
    """Compact JSON that keeps every non-ASCII character as itself."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate object key")
    return result


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")
