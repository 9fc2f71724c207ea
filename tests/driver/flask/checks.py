"""Reading what an HTTP response did to the session: Set-Cookie headers, front token."""

from __future__ import annotations

import httpx

SESSION_COOKIES = ("sc_at", "sc_rt", "sc_front")


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie header of the response, by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def attributes(header: str) -> dict[str, str]:
    """The attributes of one Set-Cookie header (lower-case names; flags map to "")."""
    parts = [p.strip() for p in header.split(";")[1:]]
    return {p.partition("=")[0].lower(): p.partition("=")[2] for p in parts}


def cleared(response: httpx.Response) -> set[str]:
    """The names of the cookies the response deletes (Max-Age=0)."""
    return {
        name for name, h in set_cookies(response).items() if attributes(h).get("max-age") == "0"
    }


def assert_session_untouched(response: httpx.Response) -> None:
    """No Set-Cookie at all and no front-token header: the client's session is as it was."""
    assert response.headers.get_list("set-cookie") == []
    assert "sc-front-token" not in response.headers


def assert_session_cleared(
    response: httpx.Response, names: tuple[str, ...] = SESSION_COOKIES
) -> None:
    """Every session cookie deleted, each with the Path it was set with."""
    assert cleared(response) == set(names)
    paths = {n: attributes(h)["path"] for n, h in set_cookies(response).items()}
    assert paths == {n: "/auth/refresh" if n.endswith("_rt") else "/" for n in names}


def jar(client: httpx.Client) -> dict[str, str]:
    """The client's cookies by name (one domain and path per name in these tests)."""
    return {cookie.name: cookie.value for cookie in client.cookies.jar}


def session_message(response: httpx.Response) -> tuple[int, str, str]:
    """(status, body message, body reason) of a driver answer."""
    body = response.json()
    return response.status_code, body.get("message", ""), body.get("reason", "")


def assert_token_cookie(header: str, path: str) -> None:
    """A host-only token cookie as topology 1 sets it over https (case A34)."""
    attrs = attributes(header)
    assert attrs["path"] == path
    assert "domain" not in attrs
    assert {"secure", "httponly"} <= attrs.keys()
    assert attrs["samesite"] == "Lax"
