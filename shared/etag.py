"""Optimistic concurrency for mutable resources: `ETag` out, `If-Match` in (412 on mismatch)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from shared.errors import PreconditionFailed, PreconditionRequired

IfMatchHeader = Annotated[str | None, Header(alias="If-Match", max_length=200)]


def etag_for(resource_id: int | str, version: int) -> str:
    return f'"{resource_id}-{version}"'


def set_etag(response: Response, resource_id: int | str, version: int) -> None:
    response.headers["ETag"] = etag_for(resource_id, version)


def check_if_match(if_match: str | None, *, resource_id: int | str, version: int) -> None:
    """An update must name the version it read: missing → 428, stale → 412 (someone else wrote first)."""
    if if_match is None:
        raise PreconditionRequired("send If-Match with the ETag you read, so concurrent edits are not lost")
    current = etag_for(resource_id, version)
    offered = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in offered and current not in offered:
        raise PreconditionFailed(f"the resource changed since you read it; current ETag is {current}")
