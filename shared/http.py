"""The one way a LabelOps process makes HTTP calls: pooled httpx clients with timeouts and the request id."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from fastapi import Depends, Request

from shared.auth import issue_internal_token, service_principal
from shared.errors import ServiceUnavailable
from shared.logging import REQUEST_ID_HEADER, request_id_var
from shared.settings import ServiceSettings


async def _propagate_request_id(request: httpx.Request) -> None:
    request_id = request_id_var.get()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


def make_client(
    *,
    base_url: str = "",
    timeout_seconds: float = 10.0,
    connect_timeout_seconds: float = 2.0,
    max_connections: int = 200,
) -> httpx.AsyncClient:
    """A pooled async client: a short connect timeout makes a down service fail fast."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        event_hooks={"request": [_propagate_request_id]},
        follow_redirects=False,
    )


class ServiceClient:
    """Calls another LabelOps service directly, as this service (a short-lived service token)."""

    def __init__(self, *, client: httpx.AsyncClient, settings: ServiceSettings):
        self.client = client
        self.settings = settings

    def _token(self) -> str:
        principal = service_principal(self.settings.service_name)
        return issue_internal_token(
            principal, secret=self.settings.internal_token_secret.get_secret_value(), ttl_seconds=60
        )

    async def request(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send `method path` to `service`; a service that cannot be reached is a 503 naming it."""
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self._token()}"}
        try:
            return await self.client.request(
                method, self.settings.service_url(service) + path, headers=headers, **kwargs
            )
        except httpx.TransportError as exc:
            raise ServiceUnavailable(f"the {service} service is unavailable", service=service) from exc

    async def json_object(
        self,
        service: str,
        method: str,
        path: str,
        *,
        what: str,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """`service`'s 200 answer as a JSON object; anything else is a 503 naming the service and `what`
        was asked (a part of a composed answer must never be read as empty)."""
        response = await self.request(service, method, path, **kwargs)
        if response.status_code != 200:
            raise ServiceUnavailable(
                f"the {service} service answered {response.status_code}: {what} is unavailable",
                service=service,
                headers=headers,
            )
        try:
            body = response.json()
        except ValueError as exc:
            raise ServiceUnavailable(
                f"the {service} service answered {what} that is not JSON", service=service
            ) from exc
        if not isinstance(body, dict):
            raise ServiceUnavailable(f"the {service} service answered a malformed {what}", service=service)
        return body


def _services(request: Request) -> ServiceClient:
    return request.app.state.services


# The process's client of the other services, for service functions that call one.
ServicesDep = Annotated[ServiceClient, Depends(_services)]
