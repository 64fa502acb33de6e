import inspect
import random
import socket
from datetime import timedelta

import pytest

from services.vendors.rules.subscriptions import (
    DEFAULT_MAX_ATTEMPTS,
    DeliveryOutcome,
    UnsafeURL,
    ValidatedURL,
    backoff_ceiling,
    classify_attempt,
    next_attempt_delay,
    should_give_up,
    subscribed,
    validate_webhook_url,
)

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


def fake_resolver(table: dict[str, list[str]], calls: list | None = None):
    """A getaddrinfo-shaped stand-in: host → the listed addresses, unknown host → gaierror."""

    def resolve(host, port):
        if calls is not None:
            calls.append((host, port))
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in table[host]
        ]

    return resolve


def no_resolver(host, port):
    raise AssertionError(f"resolver must not be called for {host!r}")


PUBLIC = fake_resolver({"hooks.example.com": [PUBLIC_V4]})


# --- accepted URLs ---------------------------------------------------------------------------------


def test_public_https_url_is_accepted_with_its_resolved_addresses():
    result = validate_webhook_url("https://hooks.example.com/vms/events", resolve=PUBLIC)

    assert result == ValidatedURL(
        url="https://hooks.example.com/vms/events",
        scheme="https",
        host="hooks.example.com",
        port=443,
        addresses=(PUBLIC_V4,),
    )


def test_explicit_port_is_kept_and_passed_to_the_resolver():
    calls = []

    result = validate_webhook_url(
        "https://hooks.example.com:8443/x", resolve=fake_resolver({"hooks.example.com": [PUBLIC_V4]}, calls)
    )

    assert (result.port, calls) == (8443, [("hooks.example.com", 8443)])


def test_host_is_lowercased_before_resolution():
    assert validate_webhook_url("https://HOOKS.Example.COM/", resolve=PUBLIC).host == "hooks.example.com"


def test_duplicate_resolved_addresses_are_listed_once():
    resolver = fake_resolver({"hooks.example.com": [PUBLIC_V4, PUBLIC_V4, PUBLIC_V6]})

    assert validate_webhook_url("https://hooks.example.com/", resolve=resolver).addresses == (
        PUBLIC_V4,
        PUBLIC_V6,
    )


@pytest.mark.parametrize(
    ("url", "address"),
    [("https://8.8.8.8/hook", "8.8.8.8"), ("https://[2606:4700:4700::1111]/", "2606:4700:4700::1111")],
)
def test_public_ip_literal_is_accepted_without_resolution(url, address):
    assert validate_webhook_url(url, resolve=no_resolver).addresses == (address,)


def test_http_is_accepted_only_when_allowed():
    result = validate_webhook_url("http://hooks.example.com/", allow_http=True, resolve=PUBLIC)

    assert (result.scheme, result.port) == ("http", 80)


def test_loopback_is_accepted_only_when_allowed():
    result = validate_webhook_url(
        "http://127.0.0.1:8002/hook", allow_http=True, allow_loopback=True, resolve=no_resolver
    )

    assert result.addresses == ("127.0.0.1",)


def test_allowing_loopback_also_allows_ipv4_mapped_loopback():
    result = validate_webhook_url("https://[::ffff:127.0.0.1]/", allow_loopback=True, resolve=no_resolver)

    assert result.addresses == ("::ffff:7f00:1",)


def test_default_resolver_is_getaddrinfo():
    assert inspect.signature(validate_webhook_url).parameters["resolve"].default is socket.getaddrinfo


# --- rejected URL shapes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/", "scheme 'http'"),
        ("ftp://hooks.example.com/", "scheme 'ftp'"),
        ("hooks.example.com/path", "scheme"),
        ("https://user:secret@hooks.example.com/", "credentials"),
        ("https://@hooks.example.com/", "credentials"),
        ("https:///path-only", "no host"),
        ("https://hooks.example.com:99999/", "port"),
        ("https://hooks.example.com:0/", "port"),
        ("https://hooks.example.com\\@10.0.0.1/", "backslash"),
        ("https://hooks.example.com/a b", "whitespace"),
        ("https://hooks.example.com/\r\nX-Injected: 1", "control"),
        ("https://hooks.example.com/" + "a" * 2048, "longer than"),
    ],
)
def test_malformed_or_disallowed_urls_are_rejected(url, reason):
    with pytest.raises(UnsafeURL, match=reason):
        validate_webhook_url(url, resolve=PUBLIC)


def test_unsafe_url_is_a_value_error_with_a_reason():
    with pytest.raises(ValueError) as caught:
        validate_webhook_url("ftp://x/", resolve=PUBLIC)

    assert caught.value.reason == "scheme 'ftp' not allowed; use https"


# --- rejected IP literals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("169.254.169.254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("192.0.2.10", "private"),
        ("198.18.0.1", "private"),
        ("[::1]", "loopback"),
        ("[::]", "unspecified"),
        ("[fe80::1]", "link-local"),
        ("[fc00::1]", "private"),
        ("[fd00:ec2::254]", "private"),
        ("[fec0::1]", "site-local"),
        ("[ff02::1]", "multicast"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("[::ffff:10.1.2.3]", "private"),
        ("[::ffff:169.254.169.254]", "metadata"),
        ("[64:ff9b::7f00:1]", "loopback"),
        ("[2002:7f00:1::]", "loopback"),
        ("[::7f00:1]", "loopback"),
    ],
)
def test_unsafe_ip_literals_are_rejected(host, reason):
    with pytest.raises(UnsafeURL, match=reason):
        validate_webhook_url(f"https://{host}/hook", resolve=no_resolver)


def test_allowing_loopback_does_not_allow_private_addresses():
    with pytest.raises(UnsafeURL, match="private"):
        validate_webhook_url("https://10.0.0.1/", allow_loopback=True, resolve=no_resolver)


def test_allowing_loopback_does_not_allow_the_metadata_address():
    with pytest.raises(UnsafeURL, match="metadata"):
        validate_webhook_url("https://169.254.169.254/", allow_loopback=True, resolve=no_resolver)


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "127.1", "0177.0.0.1", "0x7f000001"])
def test_non_canonical_numeric_hosts_are_rejected_without_resolution(host):
    with pytest.raises(UnsafeURL, match="numeric host"):
        validate_webhook_url(f"https://{host}/", resolve=no_resolver)


def test_ideographic_dots_do_not_smuggle_a_loopback_literal():
    with pytest.raises(UnsafeURL, match="loopback"):
        validate_webhook_url("https://127\u30020\u30020\u30021/", resolve=no_resolver)


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "api.localhost", "localhost."])
def test_localhost_names_are_rejected_without_resolution(host):
    with pytest.raises(UnsafeURL, match="loopback host name"):
        validate_webhook_url(f"https://{host}/", resolve=no_resolver)


# --- resolved host names ---------------------------------------------------------------------------


def test_host_resolving_to_a_private_address_is_rejected_naming_both():
    resolver = fake_resolver({"internal.example.com": ["10.20.30.40"]})

    with pytest.raises(
        UnsafeURL, match=r"'internal\.example\.com' resolves to private address 10\.20\.30\.40"
    ):
        validate_webhook_url("https://internal.example.com/", resolve=resolver)


def test_one_unsafe_address_among_public_ones_rejects_the_host():
    resolver = fake_resolver({"mixed.example.com": [PUBLIC_V4, "169.254.169.254"]})

    with pytest.raises(UnsafeURL, match="metadata"):
        validate_webhook_url("https://mixed.example.com/", resolve=resolver)


def test_host_resolving_to_ipv4_mapped_private_address_is_rejected():
    resolver = fake_resolver({"sneaky.example.com": ["::ffff:192.168.0.1"]})

    with pytest.raises(UnsafeURL, match="private address 192.168.0.1"):
        validate_webhook_url("https://sneaky.example.com/", resolve=resolver)


def test_resolved_ipv6_with_zone_id_is_still_checked():
    resolver = fake_resolver({"zoned.example.com": ["fe80::1%eth0"]})

    with pytest.raises(UnsafeURL, match="link-local"):
        validate_webhook_url("https://zoned.example.com/", resolve=resolver)


def test_host_resolving_to_loopback_is_accepted_when_loopback_allowed():
    resolver = fake_resolver({"dev.example.com": ["127.0.0.1", "::1"]})

    result = validate_webhook_url("https://dev.example.com/", allow_loopback=True, resolve=resolver)

    assert result.addresses == ("127.0.0.1", "::1")


def test_unresolvable_host_is_rejected():
    with pytest.raises(UnsafeURL, match="does not resolve"):
        validate_webhook_url("https://nowhere.example.com/", resolve=PUBLIC)


def test_host_resolving_to_nothing_is_rejected():
    with pytest.raises(UnsafeURL, match="any address"):
        validate_webhook_url("https://empty.example.com/", resolve=fake_resolver({"empty.example.com": []}))


# --- delivery retries ------------------------------------------------------------------------------


def fixed(value: float):
    return lambda: value


# --- backoff ceiling -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "seconds"), [(1, 5), (2, 10), (3, 20), (10, 2560), (11, 3600), (16, 3600), (10_000, 3600)]
)
def test_ceiling_doubles_from_five_seconds_up_to_one_hour(attempt, seconds):
    assert backoff_ceiling(attempt) == timedelta(seconds=seconds)


def test_custom_base_and_cap():
    # 1 s × 2^4 = 16 s, capped at 10 s
    assert backoff_ceiling(5, base=timedelta(seconds=1), cap=timedelta(seconds=10)) == timedelta(seconds=10)


def test_cap_below_base_is_rejected():
    with pytest.raises(ValueError, match="base <= cap"):
        backoff_ceiling(1, base=timedelta(seconds=10), cap=timedelta(seconds=5))


def test_whole_default_schedule_spans_at_most_about_six_and_a_half_hours():
    # retries after attempts 1..15: 5 + 10 + … + 2560 = 5115 s, then 5 × 3600 s
    total = sum((backoff_ceiling(attempt) for attempt in range(1, DEFAULT_MAX_ATTEMPTS)), timedelta())

    assert total == timedelta(seconds=23115)


# --- jittered delay --------------------------------------------------------------------------------


def test_delay_is_the_rng_fraction_of_the_ceiling():
    assert next_attempt_delay(3, rng=fixed(0.5)) == timedelta(seconds=10)


def test_full_jitter_can_retry_immediately():
    assert next_attempt_delay(7, rng=fixed(0.0)) == timedelta(0)


def test_delay_stays_below_the_ceiling():
    assert next_attempt_delay(1, rng=fixed(0.999999)) == timedelta(microseconds=4_999_995)


def test_jitter_applies_to_the_capped_ceiling():
    delay = next_attempt_delay(5, base=timedelta(seconds=1), cap=timedelta(seconds=10), rng=fixed(0.25))

    assert delay == timedelta(seconds=2.5)


def test_seeded_rng_gives_spread_delays_within_bounds():
    rng = random.Random(1234)

    delays = [next_attempt_delay(4, rng=rng.random) for _ in range(200)]

    assert all(timedelta(0) <= delay < timedelta(seconds=40) for delay in delays)
    assert len(set(delays)) > 150


@pytest.mark.parametrize("value", [1.0, -0.1])
def test_rng_outside_unit_interval_is_rejected(value):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        next_attempt_delay(1, rng=fixed(value))


def test_attempts_start_at_one():
    with pytest.raises(ValueError, match="start at 1"):
        next_attempt_delay(0, rng=fixed(0.5))


def test_bool_attempt_is_rejected():
    with pytest.raises(TypeError):
        next_attempt_delay(True, rng=fixed(0.5))


# --- give up / dead letter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "status", "outcome"),
    [
        (1, 200, DeliveryOutcome.DELIVERED),
        (3, 204, DeliveryOutcome.DELIVERED),
        (16, 299, DeliveryOutcome.DELIVERED),
        (1, 500, DeliveryOutcome.RETRY),
        (1, 429, DeliveryOutcome.RETRY),
        (1, 400, DeliveryOutcome.RETRY),
        (1, 301, DeliveryOutcome.RETRY),
        (2, None, DeliveryOutcome.RETRY),
        (15, 503, DeliveryOutcome.RETRY),
        (16, 503, DeliveryOutcome.DEAD_LETTER),
        (16, None, DeliveryOutcome.DEAD_LETTER),
        (1, 410, DeliveryOutcome.DISABLE_SUBSCRIPTION),
        (16, 410, DeliveryOutcome.DISABLE_SUBSCRIPTION),
    ],
)
def test_classify_attempt(attempt, status, outcome):
    assert classify_attempt(attempt, status) is outcome


def test_gone_gives_up_on_the_first_attempt():
    assert should_give_up(1, 410) is True


def test_failure_before_last_attempt_keeps_retrying():
    assert should_give_up(DEFAULT_MAX_ATTEMPTS - 1, 500) is False


def test_failure_on_last_attempt_gives_up():
    assert should_give_up(DEFAULT_MAX_ATTEMPTS, 500) is True


def test_success_never_gives_up():
    assert should_give_up(DEFAULT_MAX_ATTEMPTS, 200) is False


def test_max_attempts_is_configurable():
    assert (should_give_up(2, None, max_attempts=3), should_give_up(3, None, max_attempts=3)) == (False, True)


def test_max_attempts_must_be_positive():
    with pytest.raises(ValueError, match="max_attempts"):
        classify_attempt(1, 500, max_attempts=0)


# --- which events a subscription takes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "event_type", "expected"),
    [
        (["contributor.*"], "contributor.erased", True),
        (["contributor.upserted"], "contributor.erased", False),
        (["invoice.approved"], "invoice.approved", True),
        (["invoice.*"], "budget.alert", False),
    ],
)
def test_subscriptions_match_exact_names_and_families(wanted, event_type, expected):
    assert subscribed(wanted, event_type) is expected
