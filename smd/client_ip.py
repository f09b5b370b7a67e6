"""The client's address, for the rate limits, the sign-in cool-off and the audit log (ADR 0021).

Behind a reverse proxy, REMOTE_ADDR is the proxy's address and the client's is in a header the
proxy adds to (X-Forwarded-For) or sets (X-Real-IP). A client can send that header itself, so it
is believed only as far as the proxies in TRUSTED_PROXIES wrote it: the chain is read from the
right, past each trusted proxy, and the first address not in TRUSTED_PROXIES is the client. That
is the rule nginx's real-IP module (`real_ip_recursive on`) and Rails' RemoteIp follow; entries
further left were written by the client and are ignored.
"""

from functools import cache
from ipaddress import ip_address, ip_network

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def trusted_networks(values):
    """TRUSTED_PROXIES as networks; ImproperlyConfigured for an entry that is not an address or
    a network (checked when the settings load, so a typo refuses to start)."""
    networks = []
    for value in values:
        try:
            networks.append(ip_network(value, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {value!r} is not an IP address or network."
            ) from exc
    return tuple(networks)


def check_proxy_settings(*, header, trusted):
    """Refuse a header without the proxies allowed to set it: a header any client can send
    would let each request choose its own rate-limit and cool-off bucket."""
    networks = trusted_networks(trusted)
    if header and not networks:
        raise ImproperlyConfigured(
            f"RATELIMIT_IP_META_KEY names a header ({header}) but TRUSTED_PROXIES is empty: "
            "list the addresses of the reverse proxies that set it (e.g. 10.0.0.0/8), or unset "
            "RATELIMIT_IP_META_KEY when clients connect directly."
        )
    return networks


@cache
def _networks(trusted):
    return trusted_networks(trusted)


def _parse(value):
    try:
        return ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request):
    """The client's address: REMOTE_ADDR, unless it is a trusted proxy and the proxy header
    says who it forwarded for (the right-most address there that is not a trusted proxy)."""
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.CLIENT_IP_META_KEY
    if not header:
        return remote
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    nearest = _parse(remote)
    # No REMOTE_ADDR means a Unix socket: only a process on this host can have connected.
    if nearest is not None and not any(nearest in net for net in networks):
        return remote  # a client connecting directly: whatever it put in the header is its own
    found = remote
    for entry in reversed(request.META.get(header, "").split(",")):
        address = _parse(entry)
        if address is None:
            break  # not written by a proxy we trust: stop at the last address that was
        found = str(address)
        if not any(address in net for net in networks):
            break
    return found
