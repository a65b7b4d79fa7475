"""The client's address, as rate limits and the session list see it.

The TCP peer, unless it is one of the trusted proxies (COMPTOIR_TRUSTED_PROXIES): then X-Forwarded-For
is read from the right, past every trusted proxy, and the first address no trusted proxy vouches for
is the client. Entries further left were written by the client itself and prove nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from comptoir.settings import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(peer: str, forwarded_for: Sequence[str]) -> str:
    """`peer`: the TCP peer's address; `forwarded_for`: every X-Forwarded-For header of the request."""
    trusted = trusted_networks(get_settings().trusted_proxies)
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    address = peer
    while hops and _is_trusted(address, trusted):
        forwarded = _parse(hops.pop())
        if forwarded is None:
            break  # a trusted proxy passed on garbage: it is the last hop we know
        address = forwarded
    return address


@lru_cache(maxsize=4)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    networks = []
    for item in setting.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"COMPTOIR_TRUSTED_PROXIES: {item!r} is not an address or a network") from None
    return tuple(networks)


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed.version == network.version and parsed in network for network in trusted)


def _parse(hop: str) -> str | None:
    """An X-Forwarded-For entry as a plain address; some proxies add a port ("192.0.2.1:443", "[2001:db8::1]:443")."""
    candidates = [hop]
    if hop.startswith("["):
        candidates.append(hop[1:].partition("]")[0])
    elif hop.count(":") == 1:
        candidates.append(hop.partition(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None
