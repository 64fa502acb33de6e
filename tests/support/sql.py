"""Read a service's tables directly, for assertions no API exposes (inbox rows, erased data)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool


def query(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                return [dict(row) for row in (await conn.execute(text(sql), params)).mappings()]
        finally:
            await engine.dispose()

    return asyncio.run(run())
