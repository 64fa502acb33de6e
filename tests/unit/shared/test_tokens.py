"""The JWT rules: one pinned algorithm per kind, registered claims required, typ checked."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

from shared import tokens

SECRET = "s" * 40


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides) -> dict:
    now = int(time.time())
    claims = {
        "sub": "user:1",
        "iss": tokens.ISSUER,
        "aud": tokens.INTERNAL_AUDIENCE,
        "iat": now,
        "exp": now + 60,
        "jti": "j1",
        "typ": "internal",
        "roles": ["admin"],
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def test_internal_token_round_trips():
    token = tokens.encode(
        tokens.INTERNAL, key=SECRET, subject="user:7", ttl_seconds=60, claims={"roles": ["ops"]}
    )

    claims = tokens.decode(tokens.INTERNAL, token, key=SECRET)

    assert (
        claims["sub"] == "user:7" and claims["roles"] == ["ops"] and claims["aud"] == tokens.INTERNAL_AUDIENCE
    )


def test_alg_none_is_rejected():
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    token = f"{header}.{_b64(json.dumps(_claims()).encode())}."

    with pytest.raises(tokens.TokenError):
        tokens.decode(tokens.INTERNAL, token, key=SECRET)


@pytest.mark.parametrize("missing", ["aud", "exp", "iat", "iss", "sub", "jti"])
def test_a_token_without_a_registered_claim_is_rejected(missing):
    token = jwt.encode(_claims(**{missing: None}), SECRET, algorithm="HS256")

    with pytest.raises(tokens.TokenError):
        tokens.decode(tokens.INTERNAL, token, key=SECRET)


@pytest.mark.parametrize(
    "override",
    [{"aud": "someone-else"}, {"iss": "evil"}, {"typ": "access"}, {"exp": int(time.time()) - 5}],
    ids=["wrong-aud", "wrong-iss", "wrong-typ", "expired"],
)
def test_wrong_audience_issuer_type_or_expiry_is_rejected(override):
    token = jwt.encode(_claims(**override), SECRET, algorithm="HS256")

    with pytest.raises(tokens.TokenError):
        tokens.decode(tokens.INTERNAL, token, key=SECRET)


def test_token_signed_with_another_secret_is_rejected():
    token = tokens.encode(tokens.INTERNAL, key="x" * 40, subject="user:1", ttl_seconds=60, claims={})

    with pytest.raises(tokens.TokenError):
        tokens.decode(tokens.INTERNAL, token, key=SECRET)


def test_access_token_verifies_with_the_public_key(rsa_keys):
    private, public = rsa_keys
    token = tokens.encode(tokens.ACCESS, key=private, subject="user:2", ttl_seconds=60, claims={"roles": []})

    assert tokens.decode(tokens.ACCESS, token, key=public)["sub"] == "user:2"


def test_hs256_token_signed_with_the_public_key_is_rejected(rsa_keys):
    """Key confusion: an attacker who knows the public key signs HS256 with it as the HMAC secret."""
    _, public = rsa_keys
    claims = _claims(aud=tokens.ACCESS_AUDIENCE, typ="access")
    signing_input = (
        f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{_b64(json.dumps(claims).encode())}"
    )
    signature = _b64(hmac.new(public.encode(), signing_input.encode(), hashlib.sha256).digest())

    with pytest.raises(tokens.TokenError):
        tokens.decode(tokens.ACCESS, f"{signing_input}.{signature}", key=public)


def test_internal_token_is_not_an_access_token(rsa_keys):
    _, public = rsa_keys
    internal = tokens.encode(tokens.INTERNAL, key=SECRET, subject="user:1", ttl_seconds=60, claims={})

    with pytest.raises(tokens.TokenError):
        tokens.decode(tokens.ACCESS, internal, key=public)


def test_garbage_is_a_token_error_not_a_crash():
    with pytest.raises(tokens.TokenError):
        tokens.decode(tokens.INTERNAL, "not.a.jwt", key=SECRET)
