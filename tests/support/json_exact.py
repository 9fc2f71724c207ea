"""JSON comparison that also compares types, since 1 == 1.0 == True in Python."""

from __future__ import annotations

from typing import Any


def assert_json_identical(actual: Any, expected: Any, path: str = "$") -> None:
    """Fail unless both parsed JSON values are equal and of the same type everywhere."""
    assert type(actual) is type(expected), f"{path}: {actual!r} is not {expected!r}"
    if isinstance(expected, dict):
        assert set(actual) == set(expected), f"{path}: keys {sorted(actual)} != {sorted(expected)}"
        for key, value in expected.items():
            assert_json_identical(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), f"{path}: length {len(actual)} != {len(expected)}"
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert_json_identical(got, want, f"{path}[{index}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
