"""Handles and key ids are base64url and may start with "-": the CLI takes them as values."""

from __future__ import annotations

import pytest

from core_server import cli, operator_cli

DASHED_HANDLE = "-ojrZNDzD2plnh8rJb3yZg"
HELP_LIKE_KID = "-hXyZ0123_a"


def parse(*argv: str) -> tuple[object, list[str]]:
    args, extras = cli._parser().parse_known_args(list(argv))
    return args, operator_cli.take_dashed_values(args, extras)


def test_handles_starting_with_a_dash_are_revoked_like_any_other() -> None:
    args, unknown = parse("sessions", "revoke", "plainHandle", DASHED_HANDLE, "--json")
    assert unknown == []
    assert sorted(args.handles) == sorted(["plainHandle", DASHED_HANDLE])  # type: ignore[attr-defined]
    assert args.json is True  # type: ignore[attr-defined]


def test_a_key_id_that_looks_like_help_is_a_key_id() -> None:
    args, unknown = parse("keys", "revoke", HELP_LIKE_KID)
    assert unknown == []
    assert args.kid == HELP_LIKE_KID  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "argv",
    [
        ("sessions", "revoke", "--bogus"),
        ("serve", "-x"),
        ("keys", "list", "-abc"),
        ("keys", "revoke", "-one", "-two"),
    ],
)
def test_other_unknown_arguments_are_still_refused(argv: tuple[str, ...]) -> None:
    _, unknown = parse(*argv)
    assert unknown
