"""WebConfig: how sessions travel between browsers (or apps) and the API, validated once.

Build it once at start-up; it is frozen. Construction refuses any setting a browser
would reject or silently ignore (SameSite=None without Secure, a `__Host-` cookie with a
Domain, a Domain that is a public suffix or does not cover the API host, Secure cookies
from a plain-http API), raising WebConfigError with a message saying what to change.

Derived values (`secure`, `same_site`, `anti_csrf_mode`, the cookie names with their
`__Host-` / `__Secure-` prefixes, the allowed origins) are computed here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast

from session_core_driver.web import names
from session_core_driver.web.errors import WebConfigError
from session_core_driver.web.sites import (
    Origin,
    domain_covers,
    is_ip,
    is_public_suffix,
    same_site,
)

Transport = Literal["cookie", "header"]
AntiCsrfMode = Literal["token", "custom_header", "none"]
SameSite = Literal["lax", "strict", "none"]

TRANSPORTS: tuple[Transport, ...] = ("cookie", "header")
ANTI_CSRF_MODES: tuple[AntiCsrfMode, ...] = ("token", "custom_header", "none")
SAME_SITE_VALUES: tuple[SameSite, ...] = ("lax", "strict", "none")
DEFAULT_REFRESH_PATH = "/auth/refresh"
DEFAULT_SIGNOUT_PATH = "/auth/signout"
HOST_PREFIX = "__Host-"
SECURE_PREFIX = "__Secure-"
# RFC 6265 cookie-name characters (an RFC 7230 token) and safe path characters.
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
_PATH_FORBIDDEN = frozenset(';,"\\ \t\r\n')


@dataclass(frozen=True)
class WebConfig:
    """The web settings of one application, validated when built.

    `api_origin` is where the API (and its refresh endpoint) is served, for example
    `https://api.example.com`; `website_origin` is the page's origin when it differs.
    Settings left at None are derived: `cookie_secure` from the API's scheme,
    `cookie_same_site` from whether website and API are the same site (schemeful: same
    registrable domain and scheme; otherwise `none`), `anti_csrf` from SameSite (`token`
    for `none`, `custom_header` otherwise). `allow_secure_loopback_http` is the
    development exemption: on `http://localhost` or `http://127.0.0.1` cookies are still
    marked Secure, which browsers accept on loopback.
    """

    api_origin: str
    website_origin: str | None = None
    allowed_origins: tuple[str, ...] = ()
    transport: Transport = "cookie"
    anti_csrf: AntiCsrfMode | None = None
    cookie_domain: str | None = None
    cookie_secure: bool | None = None
    cookie_same_site: SameSite | None = None
    cookie_prefixes: bool = True
    allow_secure_loopback_http: bool = False
    refresh_path: str = DEFAULT_REFRESH_PATH
    signout_path: str = DEFAULT_SIGNOUT_PATH
    access_token_cookie: str = names.ACCESS_TOKEN_COOKIE
    refresh_token_cookie: str = names.REFRESH_TOKEN_COOKIE
    front_token_cookie: str = names.FRONT_TOKEN_COOKIE

    api: Origin = field(init=False, repr=False)
    website: Origin = field(init=False, repr=False)
    origins: frozenset[str] = field(init=False, repr=False)
    secure: bool = field(init=False)
    same_site: SameSite = field(init=False)
    anti_csrf_mode: AntiCsrfMode = field(init=False)
    domain: str | None = field(init=False)
    access_token_cookie_name: str = field(init=False)
    refresh_token_cookie_name: str = field(init=False)
    front_token_cookie_name: str = field(init=False)

    def __post_init__(self) -> None:
        _check_choices(self)
        api = _origin("api_origin", self.api_origin)
        website = _origin("website_origin", self.website_origin) if self.website_origin else api
        extra = [_origin("allowed_origins", text) for text in self.allowed_origins]
        _set(self, api=api, website=website, origins=frozenset(map(str, [api, website, *extra])))
        _check_paths(self)
        domain = self.cookie_domain.strip().lstrip(".").lower() if self.cookie_domain else None
        secure = _secure(self, api)
        same = _same_site(self, api, website)
        _set(self, domain=domain, secure=secure, same_site=same)
        derived_mode: AntiCsrfMode = "token" if same == "none" else "custom_header"
        _set(self, anti_csrf_mode=self.anti_csrf or derived_mode)
        if self.transport == "cookie":
            _check_cookie_rules(self)
        _set_cookie_names(self)

    @property
    def uses_cookies(self) -> bool:
        return self.transport == "cookie"

    @property
    def sessions_need_anti_csrf(self) -> bool:
        """Whether new sessions are created with anti-CSRF tokens (token mode, cookies)."""
        return self.uses_cookies and self.anti_csrf_mode == "token"


def _set(config: WebConfig, **values: object) -> None:
    for name, value in values.items():
        object.__setattr__(config, name, value)


def _origin(setting: str, text: str) -> Origin:
    try:
        return Origin.parse(text)
    except ValueError as exc:
        raise WebConfigError(setting, str(exc)) from exc


def _check_choices(c: WebConfig) -> None:
    choices: list[tuple[str, object, tuple[object, ...]]] = [
        ("transport", c.transport, TRANSPORTS),
        ("anti_csrf", c.anti_csrf, (None, *ANTI_CSRF_MODES)),
        ("cookie_same_site", c.cookie_same_site, (None, *SAME_SITE_VALUES)),
    ]
    for setting, value, allowed in choices:
        if value not in allowed:
            raise WebConfigError(setting, f"{value!r} is not one of {allowed}")
    if isinstance(c.allowed_origins, str):
        raise WebConfigError("allowed_origins", "a tuple of origins, not one string")


def _check_paths(c: WebConfig) -> None:
    for setting in ("refresh_path", "signout_path"):
        path = cast(str, getattr(c, setting))
        if not path.startswith("/") or _PATH_FORBIDDEN & set(path) or "?" in path:
            raise WebConfigError(setting, f"{path!r} must be a URL path starting with '/'")
    if c.refresh_path == c.signout_path:
        raise WebConfigError("signout_path", "must differ from refresh_path")
    for setting in ("access_token_cookie", "refresh_token_cookie", "front_token_cookie"):
        name = cast(str, getattr(c, setting))
        if not name or not set(name) <= _TOKEN_CHARS:
            raise WebConfigError(setting, f"{name!r} is not a valid cookie name")


def _secure(c: WebConfig, api: Origin) -> bool:
    loopback_exempt = c.allow_secure_loopback_http and api.is_loopback
    secure = c.cookie_secure if c.cookie_secure is not None else api.is_https or loopback_exempt
    if secure and not api.is_https and not loopback_exempt and c.uses_cookies:
        raise WebConfigError(
            "cookie_secure",
            f"browsers refuse Secure cookies set by the plain-http API {api}: serve the API "
            "over https (api_origin https://...), or on localhost set "
            "allow_secure_loopback_http=True",
        )
    return secure


def _same_site(c: WebConfig, api: Origin, website: Origin) -> SameSite:
    sites_match = same_site(api, website)
    if c.cookie_same_site is None:
        return "lax" if sites_match else "none"
    if c.cookie_same_site != "none" and not sites_match and c.uses_cookies:
        raise WebConfigError(
            "cookie_same_site",
            f"the website {website} and the API {api} are different sites (registrable "
            f"domain or scheme differ), so browsers would not send SameSite="
            f"{c.cookie_same_site.capitalize()} cookies on the website's requests: leave "
            "cookie_same_site unset (None: derived), or use transport='header'",
        )
    return c.cookie_same_site


def _check_cookie_rules(c: WebConfig) -> None:
    if c.same_site == "none" and not c.secure:
        raise WebConfigError(
            "cookie_same_site",
            f"SameSite=None cookies (the website {c.website} and the API {c.api} are "
            "different sites) must be Secure, and browsers reject them otherwise: serve "
            "both over https, put the website and the API on the same site (same scheme "
            "and registrable domain), use transport='header', or for development on "
            "localhost set allow_secure_loopback_http=True",
        )
    if c.same_site == "none" and c.anti_csrf_mode == "none":
        raise WebConfigError(
            "anti_csrf",
            "'none' needs SameSite=Lax or Strict cookies; with cross-site (SameSite=None) "
            "cookies use 'token' or 'custom_header'",
        )
    if c.domain is not None:
        _check_domain(c, c.domain)
    _check_prefixed_names(c)


def _check_domain(c: WebConfig, domain: str) -> None:
    if is_ip(domain):
        raise WebConfigError(
            "cookie_domain", f"{domain!r} is an IP address; leave cookie_domain unset"
        )
    if is_public_suffix(domain):
        raise WebConfigError(
            "cookie_domain",
            f"{domain!r} is a public suffix, and browsers reject cookies for it: use your "
            "registrable domain (such as example.com), or leave it unset for host-only cookies",
        )
    if not domain_covers(domain, c.api.host):
        raise WebConfigError(
            "cookie_domain",
            f"{domain!r} does not cover the API host {c.api.host!r}, so browsers would "
            "reject the cookies: use the API host or one of its parent domains",
        )


def _check_prefixed_names(c: WebConfig) -> None:
    for setting, path in (
        ("access_token_cookie", "/"),
        ("refresh_token_cookie", c.refresh_path),
        ("front_token_cookie", "/"),
    ):
        name = cast(str, getattr(c, setting))
        if name.startswith((HOST_PREFIX, SECURE_PREFIX)) and not c.secure:
            raise WebConfigError(setting, f"{name!r} needs Secure cookies (serve over https)")
        if name.startswith(HOST_PREFIX) and c.domain is not None:
            raise WebConfigError(
                setting,
                f"a {HOST_PREFIX} cookie cannot have a Domain: remove cookie_domain "
                f"(host-only cookies) or rename the cookie without the {HOST_PREFIX} prefix",
            )
        if name.startswith(HOST_PREFIX) and path != "/":
            raise WebConfigError(
                setting, f"a {HOST_PREFIX} cookie needs Path=/, and this one has Path={path}"
            )


def _set_cookie_names(c: WebConfig) -> None:
    # Prefixes only over https: the loopback exemption sets Secure on plain http.
    auto = c.cookie_prefixes and c.secure and c.api.is_https
    root_prefix = HOST_PREFIX if c.domain is None else SECURE_PREFIX

    def named(name: str, prefix: str) -> str:
        if not auto or name.startswith((HOST_PREFIX, SECURE_PREFIX)):
            return name
        return prefix + name

    _set(
        c,
        access_token_cookie_name=named(c.access_token_cookie, root_prefix),
        refresh_token_cookie_name=named(c.refresh_token_cookie, SECURE_PREFIX),
        front_token_cookie_name=named(c.front_token_cookie, root_prefix),
    )
