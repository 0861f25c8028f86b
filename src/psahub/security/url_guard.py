"""The outbound URL guard: psahub only calls addresses a deployment has allowed.

A Connect form is a request to make HTTP calls to an address a user typed in. Without a guard
that is a way into the server's own network (loopback services, the cloud metadata endpoint,
private hosts). Plain ``http://``, loopback, private and link-local addresses are refused unless
the deployment's settings allow them.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
#: Metadata endpoints outside the link-local range (Alibaba Cloud uses shared address space).
_METADATA_ADDRESSES = frozenset({"169.254.169.254", "fd00:ec2::254", "100.100.100.200"})


class BlockedURL(ValueError):
    """The URL points somewhere this deployment does not call."""


@dataclass(frozen=True)
class OutboundPolicy:
    """What the deployment allows beyond public HTTPS hosts."""

    allow_http: bool = False
    allow_loopback: bool = False
    allow_private: bool = False


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise BlockedURL(
            f"The host name '{host}' could not be found ({error.strerror}). Check the Api Domain "
            "Url for typing mistakes."
        ) from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def check_url(url: str, policy: OutboundPolicy) -> None:
    """Refuse ``url`` unless the policy allows where it leads.

    Raises:
        BlockedURL: with the reason and the setting that would allow it.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and not (parts.scheme == "http" and policy.allow_http):
        raise BlockedURL(
            f"psahub only connects to HaloPSA over https:// (got {parts.scheme}://). Use the "
            "https address of your HaloPSA; a deployment that must use plain http sets "
            "PSAHUB_ALLOW_HTTP=true."
        )
    if host in _METADATA_HOSTS:
        raise BlockedURL(f"'{host}' is a cloud metadata address; psahub never calls it.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for address in _addresses(host, port):
        mapped = getattr(address, "ipv4_mapped", None)
        address = mapped or address
        if address.is_link_local or str(address) in _METADATA_ADDRESSES:
            raise BlockedURL(
                f"'{host}' resolves to the link-local address {address} (cloud metadata and "
                "similar); psahub never calls it."
            )
        if address.is_loopback or address.is_unspecified:
            if not policy.allow_loopback:
                raise BlockedURL(
                    f"'{host}' resolves to this machine ({address}). psahub only calls it when "
                    "PSAHUB_ALLOW_LOOPBACK=true (the embedded demo sets it for the sandbox)."
                )
            continue
        if (not address.is_global or address.is_multicast) and not policy.allow_private:
            raise BlockedURL(
                f"'{host}' resolves to the private address {address}. To connect a HaloPSA on "
                "your own network, the administrator sets PSAHUB_ALLOW_PRIVATE_NETWORKS=true."
            )
