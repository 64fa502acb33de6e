"""Who the client of a request is, for the limits and the audit kept per client address: the peer that
connected, unless it is one of our trusted proxies (the console, a load balancer), which then vouch for the
address in `X-Forwarded-For`.

Each proxy appends the address it was connected from, so the header reads client, proxy 1, proxy 2, … and
only the entries our trusted proxies added can be believed: the client is the right-most address that is
not a trusted proxy. Anything left of it was written by that client and may be forged."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses and CIDR blocks (`10.0.0.0/8`, `::1`); a malformed one is a ValueError naming it."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"not an address or CIDR block: {entry!r}") from exc
    return tuple(networks)


@lru_cache(maxsize=4096)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen on a dual-stack socket ("::ffff:203.0.113.9") is that IPv4 client.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted(text: str, networks: Sequence[Network]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in networks)


def client_address(peer: str | None, forwarded_for: Sequence[str], networks: Sequence[Network]) -> str:
    """The right-most address that is not a trusted proxy, reading the peer first and then
    `X-Forwarded-For` from the right; `forwarded_for` holds the header's values as received.

    A peer that is no trusted proxy is the client, whatever it says. An entry that is not an address
    (`unknown`, garbage) ends the walk: what lies left of it came through no proxy we can vouch for, so the
    last trusted hop is taken as the client."""
    if peer is None:
        return "unknown"
    if not networks or not is_trusted(peer, networks):
        return peer
    client = peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        if not hop:
            continue
        address = _address(hop)
        if address is None:
            break
        client = str(address)
        if not any(address in network for network in networks):
            break
    return client
