"""The contributors service's report sections: support queries, shift notes and their follow-ups, exposure."""

from services.contributors.repository import reports as repository
from services.contributors.repository import shift_notes as notes_repository
from services.contributors.schemas.shift_notes import TEAMS
from services.contributors.service.tickets import ticket_read
from shared.db import ReadSessionDep, utcnow
from shared.reports import MAX_ITEMS, HandoverSections, KpiRows, ReportWindowDep, Section


async def handover_sections(session: ReadSessionDep, window: ReportWindowDep) -> HandoverSections:
    """Tickets handled in the shift and every one still open at its end (with its SLA), the notes written in
    it, and every follow-up still pending."""
    now = utcnow()
    counts = await repository.ticket_counts(session, since=window.since, until=window.until, now=now)
    # The SLA state at the end of the window (or now, for a window still running).
    at = min(window.until, now)
    open_tickets, open_total = await repository.tickets_open_at(session, at=at, limit=MAX_ITEMS)
    notes = await notes_repository.notes_written(
        session, since=window.since, until=window.until, limit=MAX_ITEMS
    )
    per_team = await notes_repository.notes_per_team(session, since=window.since, until=window.until)
    pending, overdue = await notes_repository.pending_follow_up_counts(session, now=now)
    follow_ups = await notes_repository.pending_follow_ups(session, limit=MAX_ITEMS)
    open_per_note: dict[int, int] = {}
    for row, _team in follow_ups:
        open_per_note[row.note_id] = open_per_note.get(row.note_id, 0) + 1
    tickets = [ticket_read(t, at) for t in open_tickets]
    return HandoverSections(
        sections={
            "Contributor queries": Section.capped(
                {**counts, "open_at_end": open_total},
                [
                    {
                        "ticket_id": t.id,
                        "priority": t.priority.value,
                        "status": t.status.value,
                        "subject": t.subject,
                        "assignee": t.assignee.display_name if t.assignee else None,
                        "escalated_to": t.escalated_to.display_name if t.escalated_to else None,
                        "first_response_due": None
                        if t.first_response_at
                        else t.first_response_due.isoformat(),
                        "resolution_due": t.resolution_due.isoformat(),
                        "overdue": t.overdue,
                        "sla_breaches": ", ".join(t.sla_breaches),
                    }
                    for t in tickets
                ],
                total=open_total,
            ),
            "Shift notes": Section.capped(
                {
                    "written": sum(per_team.values()),
                    **{team: per_team.get(team, 0) for team in TEAMS},
                },
                [
                    {
                        "note_id": n.id,
                        "team": n.team,
                        "subject": n.subject,
                        "body": n.body,
                        "author": n.author,
                        "written_at": n.created_at.isoformat(),
                        "open_follow_ups": open_per_note.get(n.id, 0),
                    }
                    for n in notes
                ],
                total=sum(per_team.values()),
            ),
            "Shift note follow-ups": Section.capped(
                {"pending": pending, "overdue": overdue},
                [
                    {
                        "follow_up_id": f.id,
                        "note_id": f.note_id,
                        "team": team,
                        "description": f.description,
                        "owner": f.owner,
                        "due_at": f.due_at.isoformat() if f.due_at else None,
                        "overdue": f.due_at is not None and f.due_at < now,
                    }
                    for f, team in follow_ups
                ],
                total=pending,
            ),
        }
    )


def _exposure_row(scope: str, figures: dict) -> dict:
    return {
        "scope": scope,
        "id": figures["id"],
        "exposure_minutes": round(int(figures["seconds"]) / 60, 2),
        "high_severity_minutes": round(int(figures["high_seconds"]) / 60, 2),
        "exposed_contributors": int(figures["people"]),
    }


async def kpi_rows(session: ReadSessionDep, window: ReportWindowDep) -> KpiRows:
    """Wellness: minutes on content of some severity per project and per vendor in the window."""
    projects = await repository.exposure_by_project(session, since=window.since, until=window.until)
    vendors = await repository.exposure_by_vendor(session, since=window.since, until=window.until)
    return KpiRows(
        rows=[_exposure_row("project", p) for p in projects] + [_exposure_row("vendor", v) for v in vendors]
    )
