"""Who the client is: the peer, or the right-most address in X-Forwarded-For that no trusted proxy of ours
added (rules/client_address.py)."""

import pytest
from pydantic import ValidationError

from services.gateway.rules.client_address import client_address, trusted_networks
from services.gateway.settings import GatewaySettings

LOOPBACK = trusted_networks(["127.0.0.1", "::1"])
BEHIND_A_BALANCER = trusted_networks(["127.0.0.1", "10.0.0.0/8"])


def test_a_peer_that_is_no_trusted_proxy_is_the_client_whatever_it_forwards():
    assert client_address("203.0.113.9", ["198.51.100.1"], LOOPBACK) == "203.0.113.9"


def test_a_trusted_proxy_vouches_for_the_address_it_was_connected_from():
    assert client_address("127.0.0.1", ["203.0.113.9"], LOOPBACK) == "203.0.113.9"


def test_what_a_client_wrote_left_of_its_own_address_is_not_believed():
    forged = ["1.2.3.4, 203.0.113.9"]

    assert client_address("127.0.0.1", forged, LOOPBACK) == "203.0.113.9"


def test_the_walk_skips_every_trusted_proxy_from_the_right():
    chain = ["1.2.3.4, 203.0.113.9", "10.1.2.3"]

    assert client_address("127.0.0.1", chain, BEHIND_A_BALANCER) == "203.0.113.9"


def test_without_a_header_a_trusted_proxy_is_the_client():
    assert client_address("127.0.0.1", [], LOOPBACK) == "127.0.0.1"


def test_an_entry_that_is_no_address_ends_the_walk_at_the_last_trusted_hop():
    assert client_address("127.0.0.1", ["203.0.113.9, unknown"], LOOPBACK) == "127.0.0.1"


def test_ports_brackets_and_mapped_ipv4_are_read_as_the_address():
    assert client_address("127.0.0.1", ["203.0.113.9:5123"], LOOPBACK) == "203.0.113.9"
    assert client_address("::1", ["[2001:db8::7]:443"], LOOPBACK) == "2001:db8::7"
    assert client_address("::ffff:127.0.0.1", ["203.0.113.9"], LOOPBACK) == "203.0.113.9"


def test_no_trusted_proxies_believes_no_header():
    assert client_address("127.0.0.1", ["203.0.113.9"], ()) == "127.0.0.1"


def test_the_default_trusts_loopback_only(monkeypatch):
    monkeypatch.delenv("LABELOPS_GATEWAY_TRUSTED_PROXIES", raising=False)

    assert GatewaySettings().trusted_proxies == ["127.0.0.1", "::1"]


def test_a_malformed_trusted_proxy_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("LABELOPS_GATEWAY_TRUSTED_PROXIES", '["10.0.0.0/8", "console"]')

    with pytest.raises(ValidationError, match="console"):
        GatewaySettings()
