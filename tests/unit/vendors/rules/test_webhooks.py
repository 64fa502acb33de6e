import base64
import hashlib
import hmac

import pytest

from services.vendors.rules import webhooks as signatures
from services.vendors.rules.webhooks import (
    BadSignature,
    MalformedHeaders,
    MissingHeaders,
    StaleTimestamp,
    VerifiedWebhook,
    WebhookVerificationError,
    generate_secret,
    sign,
    signed_headers,
    verify,
)

KEY = b"0123456789abcdef0123456789abcdef"
SECRET = "whsec_" + base64.b64encode(KEY).decode()
MSG_ID = "msg_2Xq9"
TS = 1_700_000_000
BODY = b'{"type":"invoice.submitted","data":{"id":"inv_1"}}'


def independent_signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(
    signature: str | None = None, *, msg_id: str = MSG_ID, timestamp: str = str(TS)
) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signature or sign(SECRET, msg_id, int(timestamp), BODY),
    }


# --- sign ------------------------------------------------------------------------------------------


def test_sign_matches_an_independently_computed_hmac():
    assert sign(SECRET, MSG_ID, TS, BODY) == independent_signature(KEY, MSG_ID, TS, BODY)


def test_sign_matches_the_standard_webhooks_reference_example():
    # Example from the Standard Webhooks / Svix reference test suites.
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_secret_without_prefix_signs_identically():
    assert sign(SECRET.removeprefix("whsec_"), MSG_ID, TS, BODY) == sign(SECRET, MSG_ID, TS, BODY)


def test_secret_that_is_not_base64_is_rejected():
    with pytest.raises(ValueError, match="base64"):
        sign("whsec_not base64!", MSG_ID, TS, BODY)


def test_str_body_is_rejected():
    with pytest.raises(TypeError, match="bytes"):
        sign(SECRET, MSG_ID, TS, BODY.decode())


def test_non_int_timestamp_is_rejected():
    with pytest.raises(TypeError, match="timestamp"):
        sign(SECRET, MSG_ID, float(TS), BODY)


def test_signed_headers_carry_id_timestamp_and_signature():
    assert signed_headers(SECRET, MSG_ID, TS, BODY) == {
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(TS),
        "webhook-signature": independent_signature(KEY, MSG_ID, TS, BODY),
    }


# --- verify ----------------------------------------------------------------------------------------


def test_valid_message_returns_its_id_and_timestamp():
    assert verify(SECRET, headers(), BODY, now=TS) == VerifiedWebhook(MSG_ID, TS)


def test_header_names_are_case_insensitive():
    mixed = {key.title(): value for key, value in headers().items()}

    assert verify(SECRET, mixed, BODY, now=TS).msg_id == MSG_ID


def test_any_matching_v1_entry_among_several_is_accepted():
    good = independent_signature(KEY, MSG_ID, TS, BODY)

    assert verify(SECRET, headers(f"v1,Zm9vYmFy {good}"), BODY, now=TS).msg_id == MSG_ID


def test_entries_of_other_versions_are_ignored_even_with_the_right_value():
    value = independent_signature(KEY, MSG_ID, TS, BODY).removeprefix("v1,")

    with pytest.raises(BadSignature):
        verify(SECRET, headers(f"v2,{value} v1a,{value}"), BODY, now=TS)


def test_tampered_body_fails():
    with pytest.raises(BadSignature, match="signature"):
        verify(SECRET, headers(), BODY + b" ", now=TS)


def test_wrong_secret_fails():
    with pytest.raises(BadSignature):
        verify(generate_secret(), headers(), BODY, now=TS)


def test_signature_is_bound_to_the_message_id():
    with pytest.raises(BadSignature):
        verify(SECRET, headers(sign(SECRET, "msg_other", TS, BODY)), BODY, now=TS)


@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_named(name):
    incomplete = {key: value for key, value in headers().items() if key != name}

    with pytest.raises(MissingHeaders, match=name):
        verify(SECRET, incomplete, BODY, now=TS)


def test_empty_header_counts_as_missing():
    with pytest.raises(MissingHeaders, match="webhook-id"):
        verify(SECRET, headers(msg_id=" "), BODY, now=TS)


@pytest.mark.parametrize("timestamp", ["abc", "1700000000.5", "-1700000000", "１７"])
def test_non_integer_timestamp_is_malformed(timestamp):
    with pytest.raises(MalformedHeaders, match="webhook-timestamp"):
        verify(SECRET, headers("v1,x", timestamp=timestamp), BODY, now=TS)


def test_timestamp_exactly_at_tolerance_is_accepted():
    assert verify(SECRET, headers(), BODY, now=TS + 300).timestamp == TS


def test_timestamp_older_than_tolerance_is_stale():
    with pytest.raises(StaleTimestamp, match="too old"):
        verify(SECRET, headers(), BODY, now=TS + 301)


def test_timestamp_too_far_in_the_future_is_stale():
    with pytest.raises(StaleTimestamp, match="too new"):
        verify(SECRET, headers(), BODY, now=TS - 301)


def test_tolerance_is_configurable():
    with pytest.raises(StaleTimestamp):
        verify(SECRET, headers(), BODY, now=TS + 61, tolerance_seconds=60)


def test_stale_timestamp_is_reported_before_the_signature_is_checked():
    with pytest.raises(StaleTimestamp):
        verify(SECRET, headers("v1,wrong"), BODY, now=TS + 3600)


def test_signatures_are_compared_in_constant_time(monkeypatch):
    calls = []
    real_compare = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(signatures.hmac, "compare_digest", spy)

    verify(SECRET, headers(), BODY, now=TS)

    assert len(calls) == 1


@pytest.mark.parametrize("error", [MissingHeaders, MalformedHeaders, StaleTimestamp, BadSignature])
def test_every_failure_is_a_webhook_verification_error(error):
    assert issubclass(error, WebhookVerificationError)


# --- generate_secret -------------------------------------------------------------------------------


def test_generated_secret_is_prefixed_base64_of_32_bytes():
    secret = generate_secret()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32


def test_generated_secrets_differ():
    assert generate_secret() != generate_secret()


def test_generated_secret_round_trips_through_sign_and_verify():
    secret = generate_secret()

    verified = verify(secret, signed_headers(secret, MSG_ID, TS, BODY), BODY, now=TS)

    assert verified == VerifiedWebhook(MSG_ID, TS)


def test_secret_length_outside_spec_range_is_rejected():
    with pytest.raises(ValueError, match="24..64"):
        generate_secret(16)
