"""Rules of outbound webhook subscriptions: which events a subscription takes, which URLs it may target,
and when a failed delivery is tried again.

URLs (SSRF): validating at subscription time is not enough on its own: DNS can change afterwards
(rebinding). Deliveries re-run ``validate_webhook_url`` and connect only to the returned ``addresses``
(``service.subscriptions.pinned``), and do not follow redirects (a 3xx could point anywhere).

Retries: exponential backoff with full jitter, then dead letter. Attempts are numbered from 1 (the first
delivery). With the defaults, the ceiling before attempt n+1 is min(1 h, 5 s × 2^(n−1)): 5 s, 10 s,
20 s, … 2560 s, then 1 h; 16 attempts in total span at most ~6.4 h (≈3.2 h on average) before the
message is dead-lettered for manual redelivery.
"""

from __future__ import annotations

import ipaddress
import random
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[tuple[Any, ...]]]
"""``socket.getaddrinfo``-shaped: ``resolve(host, port)`` → ``[(family, type, proto, canon, sockaddr)]``."""

MAX_URL_LENGTH = 2048

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_METADATA = ipaddress.IPv4Address("169.254.169.254")
# NAT64 well-known prefix (RFC 6052): 64:ff9b::7f00:1 reaches 127.0.0.1 through a NAT64 gateway,
# and Python reports the prefix as global, so the embedded IPv4 address is checked instead.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Deprecated IPv4-compatible addresses (::a.b.c.d).
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Characters no legitimate webhook URL needs and that parsers disagree about.
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


class UnsafeURL(ValueError):
    """The URL may not be used as a webhook target; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ValidatedURL:
    """A URL that passed validation, with the addresses it resolved to (connect only to these)."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.is_unspecified or address.is_loopback:
        return None  # :: and ::1 sit inside ::/96 but are IPv6's own, not IPv4-compatible
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Return why ``address`` is not a safe webhook target, or None if it is globally routable."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            problem = address_problem(embedded, allow_loopback=allow_loopback)
            return None if problem is None else f"{problem} (embedded in IPv6 {address})"
    if address.is_unspecified:
        return f"unspecified address {address}"
    if address.is_loopback:
        return None if allow_loopback else f"loopback address {address}"
    if address == _METADATA:
        return f"cloud metadata address {address}"
    if address.is_link_local:
        return f"link-local address {address}"
    if address.is_multicast:
        return f"multicast address {address}"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return f"carrier-grade NAT address {address}"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return f"site-local address {address}"
    # Reserved before private: Python also counts 240.0.0.0/4 as private, and "reserved" is the truth.
    if address.is_reserved:
        return f"reserved address {address}"
    if address.is_private:
        return f"private address {address}"
    # Catch-all for special-purpose ranges not named above (benchmarking, documentation, ...).
    if not address.is_global:
        return f"non-global address {address}"
    return None


def _ascii_host(hostname: str) -> str:
    try:
        # The IDNA codec also folds full-width and ideographic dots ("127。0。0。1" → "127.0.0.1").
        return hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UnsafeURL(f"invalid host name {hostname!r}") from None


def _sockaddr_ip(entry: tuple[Any, ...]) -> IPAddress:
    raw = str(entry[4][0]).split("%", 1)[0]  # drop an IPv6 zone id ("fe80::1%eth0")
    try:
        return ipaddress.ip_address(raw)
    except ValueError:
        raise UnsafeURL(f"resolver returned a non-IP address {raw!r}") from None


def validate_webhook_url(
    url: str,
    *,
    allow_http: bool = False,
    allow_loopback: bool = False,
    resolve: Resolver = socket.getaddrinfo,
) -> ValidatedURL:
    """Return the parsed URL and its addresses if it is a safe outbound target, else raise ``UnsafeURL``.

    Rejected: non-https schemes (http only with ``allow_http``), credentials, a missing host, bad
    ports, whitespace/control characters/backslashes, non-canonical numeric hosts ("2130706433",
    "0x7f.1"), and any IP — literal or among ALL addresses the host resolves to — that is
    unspecified, loopback (unless ``allow_loopback``), link-local (incl. 169.254.169.254), multicast,
    CGNAT 100.64/10, private, reserved or otherwise non-global, including such IPv4 addresses
    embedded in IPv6 (mapped, 6to4, NAT64, IPv4-compatible).
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, not {type(url).__name__}")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(f"URL longer than {MAX_URL_LENGTH} characters")
    if _FORBIDDEN.search(url):
        raise UnsafeURL("URL contains whitespace, control characters or a backslash")
    parts = urlsplit(url)
    allowed = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in allowed:
        raise UnsafeURL(
            f"scheme {parts.scheme or '(none)'!r} not allowed; use {' or '.join(sorted(allowed))}"
        )
    if "@" in parts.netloc:
        raise UnsafeURL("credentials in the URL are not allowed")
    if not parts.hostname:
        raise UnsafeURL("URL has no host")
    try:
        explicit_port = parts.port
    except ValueError:
        raise UnsafeURL("URL has an invalid port") from None
    if explicit_port == 0:
        raise UnsafeURL("URL has an invalid port")
    port = explicit_port or (443 if parts.scheme == "https" else 80)
    host = _ascii_host(parts.hostname)

    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        problem = address_problem(literal, allow_loopback=allow_loopback)
        if problem:
            raise UnsafeURL(problem)
        return ValidatedURL(url=url, scheme=parts.scheme, host=host, port=port, addresses=(str(literal),))

    labels = host.rstrip(".").split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        # No top-level domain is numeric; resolvers read these as shorthand IPv4 (127.1, 0x7f.1).
        raise UnsafeURL(f"non-canonical numeric host {host!r}")
    if labels[-1] == "localhost" and not allow_loopback:
        # RFC 6761: *.localhost always means loopback, whatever a resolver says.
        raise UnsafeURL(f"loopback host name {host!r}")

    try:
        entries = resolve(host, port)
    except OSError as exc:  # socket.gaierror is an OSError
        raise UnsafeURL(f"host {host!r} does not resolve: {exc}") from None
    addresses = list(dict.fromkeys(_sockaddr_ip(entry) for entry in entries))
    if not addresses:
        raise UnsafeURL(f"host {host!r} does not resolve to any address")
    for address in addresses:
        problem = address_problem(address, allow_loopback=allow_loopback)
        if problem:
            raise UnsafeURL(f"host {host!r} resolves to {problem}")
    return ValidatedURL(
        url=url,
        scheme=parts.scheme,
        host=host,
        port=port,
        addresses=tuple(str(address) for address in addresses),
    )


# --- delivery retries ------------------------------------------------------------------------------


DEFAULT_BASE = timedelta(seconds=5)
DEFAULT_CAP = timedelta(hours=1)
DEFAULT_MAX_ATTEMPTS = 16
GONE = 410

_MICROSECOND = timedelta(microseconds=1)


def backoff_ceiling(
    attempt: int, *, base: timedelta = DEFAULT_BASE, cap: timedelta = DEFAULT_CAP
) -> timedelta:
    """Return the upper bound of the delay after failed attempt ``attempt``: min(cap, base × 2^(attempt−1))."""
    _check_attempt(attempt)
    if base <= timedelta(0) or cap < base:
        raise ValueError(f"need 0 < base <= cap, got base={base}, cap={cap}")
    base_us = base // _MICROSECOND
    cap_us = cap // _MICROSECOND
    # Integer shift: base × 2^k overflows timedelta long before Python ints run out.
    return timedelta(microseconds=min(cap_us, base_us << (attempt - 1)))


def next_attempt_delay(
    attempt: int,
    *,
    base: timedelta = DEFAULT_BASE,
    cap: timedelta = DEFAULT_CAP,
    rng: Callable[[], float] = random.random,
) -> timedelta:
    """Return the wait before retrying failed attempt ``attempt``: uniform in [0, ceiling) ("full jitter").

    ``rng`` returns a float in [0, 1) like ``random.random``; full jitter spreads retries from many
    failed deliveries so a recovering receiver is not hit by them all at once.
    """
    ceiling = backoff_ceiling(attempt, base=base, cap=cap)
    fraction = rng()
    if not 0 <= fraction < 1:
        raise ValueError(f"rng must return a value in [0, 1), got {fraction}")
    return timedelta(microseconds=int((ceiling // _MICROSECOND) * fraction))


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    DEAD_LETTER = "dead_letter"
    DISABLE_SUBSCRIPTION = "disable_subscription"


def classify_attempt(
    attempt: int, status_code: int | None, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> DeliveryOutcome:
    """Return what to do after attempt ``attempt`` ended with ``status_code`` (None = no HTTP response).

    2xx → delivered; 410 Gone → disable the subscription (the receiver says it will never want it
    again); any other status, a redirect (never followed) or a network error → retry while
    ``attempt < max_attempts``, dead letter after that.
    """
    _check_attempt(attempt)
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
    if status_code is not None and 200 <= status_code < 300:
        return DeliveryOutcome.DELIVERED
    if status_code == GONE:
        return DeliveryOutcome.DISABLE_SUBSCRIPTION
    if attempt >= max_attempts:
        return DeliveryOutcome.DEAD_LETTER
    return DeliveryOutcome.RETRY


def should_give_up(
    attempt: int, status_code: int | None, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> bool:
    """Return True when a failed delivery must not be retried: 410 Gone, or ``attempt`` ≥ ``max_attempts``."""
    return classify_attempt(attempt, status_code, max_attempts=max_attempts) in (
        DeliveryOutcome.DEAD_LETTER,
        DeliveryOutcome.DISABLE_SUBSCRIPTION,
    )


def _check_attempt(attempt: int) -> None:
    if isinstance(attempt, bool) or not isinstance(attempt, int):
        raise TypeError(f"attempt must be an int, not {type(attempt).__name__}")
    if attempt < 1:
        raise ValueError(f"attempt numbers start at 1, got {attempt}")


def subscribed(event_types: list[str], event_type: str) -> bool:
    """Exact names match, and `family.*` matches every event of that family (e.g. `contributor.*`)."""
    family = event_type.split(".", 1)[0] + ".*"
    return event_type in event_types or family in event_types
