"""Outbound deliveries connect to the address the SSRF check approved, never to a second DNS answer."""

from __future__ import annotations

import functools
import ipaddress
import socket

import httpx
import pytest

from services.vendors.models import WebhookDelivery, WebhookSubscription
from services.vendors.rules import subscriptions as subscription_rules
from services.vendors.service import subscriptions
from services.vendors.settings import VendorsSettings

CHECKED = "93.184.215.14"


def rebinding_resolver(answers: list[str]):
    """getaddrinfo-shaped: each lookup gets the next answer (public first, then loopback)."""

    def resolve(host: str, port: int):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers.pop(0), port))]

    return resolve


@pytest.fixture
def deliverer(monkeypatch):
    resolve = rebinding_resolver([CHECKED, "127.0.0.1"])
    monkeypatch.setattr(
        subscriptions.subscription_rules,
        "validate_webhook_url",
        functools.partial(subscription_rules.validate_webhook_url, resolve=resolve),
    )
    connects: list[dict] = []

    def transport(request: httpx.Request) -> httpx.Response:
        # What a real transport would connect to: a host name is resolved again, an address is used.
        host = request.url.host
        try:
            address = str(ipaddress.ip_address(host))
        except ValueError:
            address = resolve(host, request.url.port or 443)[0][4][0]
        connects.append({"address": address, "host": request.headers["host"], **request.extensions})
        return httpx.Response(200)

    client = httpx.AsyncClient(transport=httpx.MockTransport(transport))
    return functools.partial(subscriptions.send_delivery, client=client, settings=VendorsSettings()), connects


async def test_a_host_rebound_after_the_check_is_not_reached(deliverer):
    send, connects = deliverer
    subscription = WebhookSubscription(url="https://hooks.example.org/in", secret="whsec_" + "A" * 40)
    delivery = WebhookDelivery(subscription_id=1, message_id="msg_1", event_type="webhook.ping", payload={})

    status, error = await send(subscription=subscription, delivery=delivery)

    assert (status, error) == (200, None)
    assert connects[0]["address"] == CHECKED
    assert connects[0]["host"] == "hooks.example.org" and connects[0]["sni_hostname"] == "hooks.example.org"


def test_the_pinned_url_keeps_port_path_and_query():
    target = subscription_rules.ValidatedURL(
        url="https://hooks.example.org:8443/in?x=1", scheme="https", host="hooks.example.org", port=8443,
        addresses=("2606:2800:21f:cb07:6820:80da:af6b:8b2c",),
    )  # fmt: skip

    url, headers, extensions = subscriptions.pinned(target)

    assert str(url) == "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443/in?x=1"
    assert headers == {"host": "hooks.example.org:8443"} and extensions == {
        "sni_hostname": "hooks.example.org"
    }
