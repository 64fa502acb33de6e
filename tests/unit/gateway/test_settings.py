"""The gateway's settings refuse what is only fit for tests when running in production."""

import pytest
from pydantic import ValidationError

from services.gateway.settings import GatewaySettings


def test_production_refuses_the_cheapest_password_hashes(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELOPS_ENV", "production")
    monkeypatch.setenv("LABELOPS_INTERNAL_TOKEN_SECRET", "r" * 48)
    monkeypatch.setenv("LABELOPS_GATEWAY_JWT_PRIVATE_KEY_FILE", str(tmp_path / "key.pem"))
    monkeypatch.setenv("LABELOPS_GATEWAY_PASSWORD_HASH_PROFILE", "cheapest")

    with pytest.raises(ValidationError, match="PASSWORD_HASH_PROFILE"):
        GatewaySettings()


def test_password_hashes_default_to_rfc_9106_low_memory_and_tests_may_choose_the_cheapest(monkeypatch):
    monkeypatch.delenv("LABELOPS_GATEWAY_PASSWORD_HASH_PROFILE", raising=False)
    assert GatewaySettings().password_hash_profile == "rfc9106-low-memory"

    monkeypatch.setenv("LABELOPS_ENV", "test")
    monkeypatch.setenv("LABELOPS_GATEWAY_PASSWORD_HASH_PROFILE", "cheapest")
    assert GatewaySettings().password_hash_profile == "cheapest"
