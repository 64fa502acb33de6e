"""The periodic sweep's expiries: leases past their expiry go back to the queue, expired grants are recorded."""

from __future__ import annotations

from services.tasks import metrics
from services.tasks.assignment.queries import reclaim_expired_leases
from services.tasks.service.projects import sweep_expired_permissions
from shared.db import Database, utcnow
from shared.rawsql import raw_connection


async def sweep_expired(*, db: Database) -> tuple[int, int]:
    """Returns how many leases were reclaimed and how many grants were recorded as expired."""
    now = utcnow()
    async with raw_connection(db.engine) as connection, connection.transaction():
        leases = await reclaim_expired_leases(connection, now=now)
    async with db.sessionmaker() as session, session.begin():
        grants = await sweep_expired_permissions(session=session, now=now)
    if leases:
        metrics.LEASE_EXPIRIES.inc(leases)
    return leases, grants
