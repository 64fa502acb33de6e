"""Settings of the gateway (env prefix LABELOPS_GATEWAY_; the bootstrap admin has global names)."""

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.gateway.rules.client_address import trusted_networks
from services.gateway.rules.passwords import HashProfile
from shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LABELOPS_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    # PEM file of the RSA key that signs access tokens; generated under data_dir in development.
    jwt_private_key_file: Path | None = None
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 14 * 24 * 3600
    admin_email: str | None = Field(None, validation_alias=AliasChoices("LABELOPS_ADMIN_EMAIL"))
    admin_password: SecretStr | None = Field(None, validation_alias=AliasChoices("LABELOPS_ADMIN_PASSWORD"))
    upstream_timeout_seconds: float = 30.0
    upstream_connect_timeout_seconds: float = 1.0
    # How long an idle connection to a service is reused: below the services' own keep-alive (uvicorn's
    # --timeout-keep-alive, 5 s by default), so the gateway stops using a connection before the service
    # closes it rather than sending a request into that close.
    upstream_keepalive_seconds: float = 4.0
    docs_enabled: bool = True
    redis_url: str | None = Field(None, validation_alias=AliasChoices("LABELOPS_REDIS_URL"))
    # Prefix of the rate-limit keys, so deployments (or test runs) sharing one Redis never mix counts.
    rate_limit_namespace: str = "labelops"
    # Requests per minute per caller and route class (see rules.rate_limits.route_class).
    rate_limit_read: int = 1200
    rate_limit_write: int = 600
    rate_limit_assignment: int = 6000
    rate_limit_bulk: int = 60
    rate_limit_webhook: int = 1200
    # Password logins per minute per client IP, and failed logins tolerated per account / per IP
    # in `login_failure_window_seconds` before further attempts are refused.
    rate_limit_login: int = 30
    login_failures_per_account: int = 5
    login_failures_per_ip: int = 50
    login_failure_window_seconds: int = 900
    # How long a replica may remember a caller's facts at most (it forgets on every change anyway;
    # services.gateway.service.callers); 0 reads them from the database on every request.
    caller_cache_seconds: float = 10.0
    max_body_bytes: int = 1_048_576
    max_bulk_body_bytes: int = 67_108_864
    cors_origins: list[str] = []
    # A list asked for as CSV or XLSX (README "Lists as files") holds at most this many rows; the file
    # says when more matched.
    list_export_max_rows: int = Field(50_000, ge=1)
    # Proxies whose X-Forwarded-For is believed (addresses or CIDR blocks): the console and any load
    # balancer in front of the gateway. Loopback by default, which is where `make run` and the tests run
    # the console, and what uvicorn itself trusts; a peer outside the list is the client, whatever it
    # says (rules/client_address.py). Deployments list their console's and ingress's addresses.
    trusted_proxies: list[str] = ["127.0.0.1", "::1"]
    # argon2id parameters of new password hashes (services.gateway.rules.passwords); "cheapest" is for tests.
    password_hash_profile: HashProfile = "rfc9106-low-memory"

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_blocks(cls, value: list[str]) -> list[str]:
        trusted_networks(value)
        return value

    @property
    def effective_jwt_key_file(self) -> Path:
        return self.jwt_private_key_file or self.data_dir / "keys" / "gateway-jwt.pem"

    @model_validator(mode="after")
    def refuse_generated_keys_in_production(self) -> "GatewaySettings":
        if self.environment == "production" and self.jwt_private_key_file is None:
            raise ValueError("LABELOPS_GATEWAY_JWT_PRIVATE_KEY_FILE must be set outside development")
        if self.environment == "production" and self.password_hash_profile == "cheapest":
            raise ValueError("LABELOPS_GATEWAY_PASSWORD_HASH_PROFILE=cheapest is for tests only")
        return self


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
