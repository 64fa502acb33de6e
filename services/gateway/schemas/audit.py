"""API models of /api/v1/audit-events."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    ip: str | None
    detail: dict


class AuditEventPage(BaseModel):
    items: list[AuditEventRead]
    next_cursor: str | None = None
