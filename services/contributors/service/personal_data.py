"""A contributor's subject access request (DSAR): everything LabelOps holds about the person, one document.

This service owns the person, so it puts the export together: its own rows, then each peer's section
(`POST /internal/personal-data`, shared/privacy.py), asked at once with the person's id and the name and
email other people's text would have. A peer that cannot answer fails the export (503 naming it): an
export that silently lacks a service would tell the person we hold less than we do.
"""

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor
from services.contributors.repository import contributors as repository
from shared.db import utcnow
from shared.http import ServiceClient
from shared.privacy import as_records

# Every other service that holds rows about contributors (the gateway: their users, sessions, audit trail).
PEERS_HOLDING_PEOPLE = ("gateway", "tasks", "vendors")


async def personal_data_export(
    *, session: AsyncSession, services: ServiceClient, contributor: Contributor
) -> dict[str, Any]:
    mentions = [contributor.full_name, contributor.email]
    own = await repository.personal_rows(
        session, contributor_id=contributor.id, email=contributor.email, mentions=mentions
    )
    peers = await asyncio.gather(
        *(
            _peer_section(services, peer, contributor_id=contributor.id, mentions=mentions)
            for peer in PEERS_HOLDING_PEOPLE
        )
    )
    return {
        "contributor_id": contributor.id,
        "generated_at": utcnow().isoformat(),
        "services": {
            "contributors": {table: as_records(rows) for table, rows in own.items()},
            **dict(zip(PEERS_HOLDING_PEOPLE, peers, strict=True)),
        },
    }


async def _peer_section(
    services: ServiceClient, peer: str, *, contributor_id: int, mentions: list[str]
) -> dict[str, Any]:
    body = {"contributor_id": contributor_id, "mentions": mentions}
    return await services.json_object(
        peer, "POST", "/internal/personal-data", json=body, what="its part of the personal data export",
        headers={"Retry-After": "5"},
    )  # fmt: skip
