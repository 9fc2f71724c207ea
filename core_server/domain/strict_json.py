"""One strict JSON dialect for everything the core parses or signs.

Parsers disagree on duplicate keys and on NaN/Infinity, so we accept neither: a
document then means the same thing to every verifier and every storage backend.
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn


def loads(text: str) -> Any:
    """Parse JSON, raising ValueError on duplicate keys, NaN, Infinity or 1e999.

    RecursionError still escapes for absurdly deep documents; callers bound the size.
    """
    return _DECODER.decode(text)


def dumps(value: Any) -> str:
    """Compact JSON that keeps every non-ASCII character as itself."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate object key")
    return result


def _finite_float(text: str) -> float:
    # 1e999 would parse as infinity, which no JSON encoder may write back.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


# Built once: `json.loads` with hooks would build a decoder per call. It holds no state.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_keys, parse_constant=_reject_constant, parse_float=_finite_float
)
