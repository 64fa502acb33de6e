"""The wellness board: who is near a daily cap, on a required break, or asked for support, as rules.wellness
defines each, for the people a caller may read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.contributors.models import Contributor, ExposureRecord
from services.contributors.repository import wellness as repository
from services.contributors.rules.wellness import (
    SUPPORT_REQUEST_WINDOW,
    BoardState,
    ContentSeverity,
    ExposurePolicy,
    ExposureSession,
    board_states,
    break_ends_at,
    continuous_exposure_minutes,
    exposure_today_by_severity,
    merge_policy,
    most_used_cap,
    support_requested_at,
)
from services.contributors.schemas.wellness import (
    CapUseRead,
    SeverityMinutes,
    WellnessBoardItem,
    WellnessBoardPage,
)
from services.contributors.service.publishing import CONTINUOUS_LOOKBACK, override_of
from services.contributors.settings import ContributorsSettings
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Unprocessable
from shared.pagination import decode_position, encode_position

# A local day lasts at most 25 hours (a DST change), so exposure ending earlier is on no one's today;
# the current continuous stretch is looked for as far back as assignment looks (publishing).
EXPOSURE_LOOKBACK = max(timedelta(hours=25), CONTINUOUS_LOOKBACK)


def _epoch(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


# The board's sorts: what each orders by (None sorts last either way); the id breaks ties.
BOARD_SORTS: dict[str, Callable[[WellnessBoardItem], Any]] = {
    "cap_share": lambda item: item.cap_use.share if item.cap_use else None,
    "break_ends_at": lambda item: _epoch(item.break_ends_at),
    "support_requested_at": lambda item: _epoch(item.support_requested_at),
    "last_exposure_at": lambda item: _epoch(item.last_exposure_at),
    "full_name": lambda item: item.full_name.casefold(),
}


def _sort_key(item: WellnessBoardItem, field: str, descending: bool) -> tuple:
    value = BOARD_SORTS[field](item)
    # Present values first in both directions: (True, v) > (False, …) reversed, (False, v) < (True, …).
    missing = value is None
    return ((not missing) if descending else missing, value if not missing else 0, item.contributor_id)


def _item(
    contributor: Contributor,
    *,
    records: list[ExposureRecord],
    policy: ExposurePolicy,
    check_in: tuple[datetime, bool] | None,
    near_cap_share: float,
    now: datetime,
) -> WellnessBoardItem:
    sessions = [ExposureSession(r.started_at, r.ended_at, ContentSeverity(r.severity)) for r in records]
    today = {
        k.value: v
        for k, v in exposure_today_by_severity(sessions, now=now, timezone=contributor.timezone).items()
    }
    cap_use = most_used_cap(policy, today)
    break_end = break_ends_at(policy, sessions, now)
    asked_at = support_requested_at(
        check_in[0] if check_in else None, wants_support=bool(check_in and check_in[1]), now=now
    )
    states = board_states(
        cap_use=cap_use, break_ends_at=break_end, support_requested_at=asked_at, near_cap_share=near_cap_share
    )
    return WellnessBoardItem(
        contributor_id=contributor.id,
        full_name=contributor.full_name,
        vendor_id=contributor.vendor_id,
        timezone=contributor.timezone,
        local_date=now.astimezone(ZoneInfo(contributor.timezone)).date(),
        states=[s.value for s in BoardState if s in states],
        today_minutes=SeverityMinutes(**{k: round(v, 2) for k, v in today.items()}),
        cap_use=CapUseRead(
            severity=cap_use.severity.value,
            minutes=round(cap_use.minutes, 2),
            cap_minutes=cap_use.cap_minutes,
            share=round(cap_use.share, 4),
        )
        if cap_use
        else None,
        continuous_exposure_minutes=round(continuous_exposure_minutes(policy, sessions, now), 2),
        break_ends_at=break_end,
        support_requested_at=asked_at,
        last_exposure_at=max((r.ended_at for r in records if r.severity != "none"), default=None),
    )


async def wellness_board(
    *,
    session: AsyncSession,
    principal: Principal,
    settings: ContributorsSettings,
    states: Collection[str],
    vendor_id: int | None,
    near_cap_share: float,
    sort: str,
    cursor: str | None,
    limit: int,
    now: datetime | None = None,
) -> WellnessBoardPage:
    """The readable people in any of `states` (none given: in any state at all), each with today's
    exposure in their own day, the cap they are closest to, their break and their support request."""
    now = now or utcnow()
    wanted = {BoardState(s) for s in states} or set(BoardState)
    since = now - EXPOSURE_LOOKBACK
    candidates: set[int] = set()
    if wanted & {BoardState.NEAR_CAP, BoardState.ON_BREAK}:
        candidates |= await repository.board_people_exposed_since(
            session, principal=principal, vendor_id=vendor_id, since=since
        )
    check_ins = await repository.board_latest_check_ins_since(
        session, principal=principal, vendor_id=vendor_id, since=now - SUPPORT_REQUEST_WINDOW
    )
    if BoardState.SUPPORT_REQUESTED in wanted:
        candidates |= {c for c, (_, wants) in check_ins.items() if wants}
    if not candidates:
        return WellnessBoardPage(items=[], near_cap_share=near_cap_share)
    people = await repository.board_people(session, principal=principal, ids=candidates)
    records: dict[int, list[ExposureRecord]] = defaultdict(list)
    for record in await repository.exposure_of_people_since(session, contributor_ids=candidates, since=since):
        records[record.contributor_id].append(record)
    vendor_ids = {p.vendor_id for p in people if p.vendor_id is not None}
    overrides = (
        {v.vendor_id: v for v in await repository.vendor_policies_of(session, vendor_ids=vendor_ids)}
        if vendor_ids
        else {}
    )
    base = settings.exposure_policy()
    items = []
    for person in people:
        policy = merge_policy(base, override_of(overrides.get(person.vendor_id)))
        item = _item(
            person,
            records=records[person.id],
            policy=policy,
            check_in=check_ins.get(person.id),
            near_cap_share=near_cap_share,
            now=now,
        )
        if wanted & {BoardState(s) for s in item.states}:
            items.append(item)
    return _page(items, sort=sort, cursor=cursor, limit=limit, near_cap_share=near_cap_share)


def _page(
    items: list[WellnessBoardItem], *, sort: str, cursor: str | None, limit: int, near_cap_share: float
) -> WellnessBoardPage:
    """Keyset pages over the computed board: the cursor holds the last row's sort key, so a page starts
    after it even when people join or leave the board between pages."""
    field, descending = sort.removeprefix("-"), sort.startswith("-")
    ordered = sorted(items, key=lambda i: _sort_key(i, field, descending), reverse=descending)
    if cursor:
        after = _position(cursor, sort)

        def past_cursor(item: WellnessBoardItem) -> bool:
            key = _sort_key(item, field, descending)
            return key < after if descending else key > after

        try:
            ordered = [i for i in ordered if past_cursor(i)]
        except TypeError as exc:  # a cursor value of another type than the sort's
            raise _bad_cursor() from exc
    page = ordered[:limit]
    next_cursor = None
    if len(ordered) > limit and page:
        last = page[-1]
        next_cursor = encode_position(sort, list(_sort_key(last, field, descending)), last.contributor_id)
    return WellnessBoardPage(items=page, next_cursor=next_cursor, near_cap_share=near_cap_share)


def _bad_cursor() -> Unprocessable:
    return Unprocessable(
        "cursor is not one this API returned for this sort",
        errors=[{"pointer": "/cursor", "field": "cursor", "in": "query", "detail": "invalid cursor"}],
    )


def _sort_key_of(value: Any) -> tuple:
    if not isinstance(value, list) or len(value) != 3 or not isinstance(value[0], bool):
        raise ValueError("not a sort key of the board")
    return tuple(value)


def _position(cursor: str, sort: str) -> tuple:
    return decode_position(cursor, sort, _sort_key_of)[0]
