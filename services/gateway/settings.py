"""Settings of the gateway (env prefix LABELOPS_GATEWAY_; the bootstrap admin has global names)."""

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

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
    docs_enabled: bool = True

    @property
    def effective_jwt_key_file(self) -> Path:
        return self.jwt_private_key_file or self.data_dir / "keys" / "gateway-jwt.pem"

    @model_validator(mode="after")
    def refuse_generated_keys_in_production(self) -> "GatewaySettings":
        if self.environment == "production" and self.jwt_private_key_file is None:
            raise ValueError("LABELOPS_GATEWAY_JWT_PRIVATE_KEY_FILE must be set outside development")
        return self


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
