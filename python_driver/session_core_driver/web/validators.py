"""Claim validators: application checks on a verified session's claims (failure → 403).

A validator is any callable taking the claims and returning True to accept; it may also
raise InvalidClaims itself with a message. `run_validators` raises InvalidClaims naming
the first validator that refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from session_core_driver.errors import InvalidClaims

ClaimValidator = Callable[[Mapping[str, Any]], bool]


def run_validators(claims: Mapping[str, Any], validators: Iterable[ClaimValidator]) -> None:
    for validator in validators:
        if not validator(claims):
            raise InvalidClaims(getattr(validator, "__name__", type(validator).__name__))


def claim_equals(name: str, value: Any) -> ClaimValidator:
    """Accept sessions whose claim `name` equals `value`."""

    def check(claims: Mapping[str, Any]) -> bool:
        return name in claims and claims[name] == value

    check.__name__ = f"claim_equals({name!r})"
    return check


def claim_includes(name: str, item: Any) -> ClaimValidator:
    """Accept sessions whose claim `name` is a list holding `item` (roles and the like)."""

    def check(claims: Mapping[str, Any]) -> bool:
        values = claims.get(name)
        return isinstance(values, list) and item in values

    check.__name__ = f"claim_includes({name!r})"
    return check
