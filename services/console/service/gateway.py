"""The console's one way out: the gateway's public API over HTTP, as the signed-in user (its bearer
token). The console never reaches a service or a database directly; what the API refuses, the page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class GatewayError(Exception):
    """The API answered with a problem (or not at all); `status` is what the page answers with."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


class GatewayUnavailable(GatewayError):
    """The API could not be reached (refused, reset, timed out) or said it is unavailable: a 503 page."""

    def __init__(self, detail: str):
        super().__init__(503, detail)


UNREACHABLE = "The LabelOps service is unavailable at the moment; try again in a minute."


class SignInRequired(Exception):
    """No session, or the gateway no longer accepts its tokens: the viewer signs in again."""


def _problem(response: httpx.Response) -> GatewayError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("detail") or body.get("title") or response.reason_phrase or "error"
    return GatewayError(response.status_code, str(detail), body.get("errors"))


@dataclass
class Gateway:
    """Calls /api/v1/… on the gateway with a bearer token (None for sign-in and refresh)."""

    http: httpx.AsyncClient
    base_url: str
    token: str | None = None
    # The browser's address as the console knows it (deps.forwarded_for): the gateway limits logins per
    # client address, and believes this header from the console, a trusted proxy of its.
    forwarded_for: str | None = None

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        return headers

    def acting_as(self, token: str) -> Gateway:
        return Gateway(self.http, self.base_url, token, self.forwarded_for)

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = self._headers(kwargs.pop("headers", None))
        try:
            response = await self.http.request(
                method, f"{self.base_url}/api/v1{path}", headers=headers, **kwargs
            )
        except httpx.TransportError as exc:
            raise GatewayUnavailable(UNREACHABLE) from exc
        except httpx.HTTPError as exc:
            raise GatewayError(502, f"the API's answer could not be read ({type(exc).__name__})") from exc
        if response.status_code == 503:
            raise GatewayUnavailable(_problem(response).detail)
        if response.status_code == 401:
            raise SignInRequired()
        if response.status_code >= 400:
            raise _problem(response)
        return response

    async def get(self, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v not in (None, "", [])}
        return (await self.call("GET", path, params=clean)).json()

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        response = await self.call("POST", path, json=json, **kwargs)
        return response.json() if response.content else None

    async def stream(self, path: str, *, accept: str | None = None, **params: Any) -> httpx.Response:
        """A file the API answers (CSV, XLSX, an export), opened as a stream: the caller passes its body on
        as it arrives and closes it (a 100,000-task export is never held in the console's memory).
        `accept` asks a list for the file the gateway makes of it (README "Lists as files")."""
        request = self.http.build_request(
            "GET",
            f"{self.base_url}/api/v1{path}",
            params={k: v for k, v in params.items() if v},
            headers=self._headers({"Accept": accept} if accept else None),
        )
        try:
            response = await self.http.send(request, stream=True)
        except httpx.TransportError as exc:
            raise GatewayUnavailable(UNREACHABLE) from exc
        except httpx.HTTPError as exc:
            raise GatewayError(502, f"the API's answer could not be read ({type(exc).__name__})") from exc
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            if response.status_code == 401:
                raise SignInRequired()
            if response.status_code == 503:
                raise GatewayUnavailable(_problem(response).detail)
            raise _problem(response)
        return response
