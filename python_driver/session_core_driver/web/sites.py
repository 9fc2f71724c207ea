"""Origins, sites and cookie domains, judged the way browsers judge them.

Registrable domains come from the public-suffix list bundled with the `publicsuffixlist`
package (its private section included, so `github.io` counts as public as browsers count
it); nothing is downloaded at run time. An IP address or a single-label host such as
`localhost` is its own site.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_NAMES = frozenset({"localhost"})


@lru_cache(maxsize=1)
def _suffix_list() -> PublicSuffixList:
    return PublicSuffixList()


@dataclass(frozen=True)
class Origin:
    """A web origin: scheme, host (lower case, no brackets) and port."""

    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Origin:
        """Parse `scheme://host[:port]`; raise ValueError for anything else (a path too)."""
        parts = urlsplit(text.strip())
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"{text!r} is not an http(s) origin such as https://example.com")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise ValueError(f"{text!r} is an origin: scheme, host and port only, no path")
        return cls(parts.scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[parts.scheme])

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = DEFAULT_PORTS[self.scheme] == self.port
        return f"{self.scheme}://{host}" if default else f"{self.scheme}://{host}:{self.port}"

    @property
    def is_https(self) -> bool:
        return self.scheme == "https"

    @property
    def is_loopback(self) -> bool:
        """True for localhost and loopback addresses (browsers treat them as secure contexts)."""
        if self.host in LOOPBACK_NAMES or self.host.endswith(".localhost"):
            return True
        return is_ip(self.host) and ipaddress.ip_address(self.host).is_loopback


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def registrable_domain(host: str) -> str:
    """The host's site: its registrable domain, or the host itself (IPs, `localhost`)."""
    host = host.lower().rstrip(".")
    if is_ip(host):
        return host
    return _suffix_list().privatesuffix(host) or host


def same_site(a: Origin, b: Origin) -> bool:
    """Schemeful same-site: same scheme and same registrable domain (ports do not count)."""
    return a.scheme == b.scheme and registrable_domain(a.host) == registrable_domain(b.host)


def is_public_suffix(domain: str) -> bool:
    """True when `domain` is a public suffix (`com`, `co.uk`, `github.io`, `localhost`)."""
    domain = domain.lower().strip(".")
    return not is_ip(domain) and _suffix_list().is_public(domain)


def domain_covers(domain: str, host: str) -> bool:
    """True when a cookie with `Domain=domain` is sent to `host` (RFC 6265 domain-match)."""
    domain, host = domain.lower().strip("."), host.lower()
    if host == domain:
        return True
    return not is_ip(host) and host.endswith("." + domain)
