"""`Idempotency-Key` for writes that clients retry: the first response is stored and replayed.

The key row is written with the work, in the same transaction (tasks' submit does it in the statement
that records the submission): a concurrent retry meets the unique key and then finds the stored
response; if the work fails, the rollback releases the key. Here: the header, the table and the rule for
a key seen before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Header
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, UniqueConstraint

from shared.db import UTCDateTime
from shared.errors import Conflict, Unprocessable

IdempotencyKeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)]


def define_idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("scope", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("fingerprint", String(64), nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("response", JSON, nullable=True),
        Column("created_at", UTCDateTime(), nullable=False),
        UniqueConstraint("scope", "key", name="uq_idempotency_scope_key"),
    )


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def fingerprint_of(payload: Any) -> str:
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def replay_of(
    stored_fingerprint: str, status_code: int | None, body: Any, fingerprint: str
) -> StoredResponse:
    """The response to replay for a key already used: 422 if the body differs, 409 while in progress."""
    if stored_fingerprint != fingerprint:
        raise Unprocessable(
            "this Idempotency-Key was used with a different request body",
            errors=[{"pointer": "/", "field": "Idempotency-Key", "in": "header", "detail": "key reused"}],
        )
    if status_code is None:
        raise Conflict("a request with this Idempotency-Key is still in progress; retry shortly")
    return StoredResponse(status_code, body)
