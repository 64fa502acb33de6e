"""A contributor's eligibility facts as rows: what the lease preconditions (assignment/preconditions.py)
compare with a project's requirements, in SQL.

The contributor service sends languages (a language fact's `amount` is its proficiency rank), skills,
qualifications, wellness caps, a required break and vetting as JSON; the lease statement needs them joinable and already judged where judging needs Python (an ISO expiry with
any offset, a qualification not passed). A fact that can never count (not passed, an unreadable or naive
expiry) is not kept; one that lapses later keeps its expiry and stops counting then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.languages import PROFICIENCY_RANK, primary_language

DEFAULT_DAILY_CAPS = {"low": 480, "medium": 240, "high": 120}
# Vetting is for harmful content; one kind of vetting exists today.
VETTING = "harmful_content"


@dataclass(frozen=True)
class Fact:
    kind: str
    value: str
    amount: float | None = None
    expires_at: datetime | None = None


def language_code(code: Any) -> str:
    """The language a tag names (`de` of `de-CH`, `EN` and `en` alike): what speaking it is compared by."""
    return primary_language(str(code))


def spoken_languages(languages: list[Any]) -> dict[str, int]:
    """Each language the contributor speaks with its best proficiency rank (an unknown proficiency counts
    as basic: the contributor said it speaks the language)."""
    spoken: dict[str, int] = {}
    for lang in languages:
        if isinstance(lang, dict) and lang.get("code"):
            code = language_code(lang["code"])
            rank = PROFICIENCY_RANK.get(str(lang.get("proficiency")), 1)
            spoken[code] = max(rank, spoken.get(code, 0))
    return spoken


def facts_of(
    *,
    languages: list[Any],
    skills: list[Any],
    qualifications: list[Any],
    daily_caps_minutes: dict[str, Any],
    vetting: dict[str, Any] | None,
    break_ends_at: Any = None,
) -> list[Fact]:
    facts = {Fact("language", code, float(rank)) for code, rank in spoken_languages(languages).items()}
    facts |= {Fact("skill", str(skill)) for skill in skills if skill}
    for qual in qualifications:
        if not isinstance(qual, dict) or not qual.get("name") or not qual.get("passed"):
            continue
        readable, expires = _expiry(qual.get("expires_at"))
        if readable:
            facts.add(Fact("qualification", str(qual["name"]), float(qual.get("score") or 0), expires))
    if isinstance(vetting, dict):
        readable, expires = _expiry(vetting.get("expires_at"))
        if readable:
            facts.add(Fact("vetting", VETTING, expires_at=expires))
    readable, ends = _expiry(break_ends_at)
    if readable and ends is not None:
        facts.add(Fact("wellness_break", "required", expires_at=ends))
    for severity, default in DEFAULT_DAILY_CAPS.items():
        facts.add(Fact("daily_cap_minutes", severity, float(daily_caps_minutes.get(severity, default))))
    return sorted(facts, key=lambda f: (f.kind, f.value, f.amount or 0, str(f.expires_at)))


def _expiry(value: Any) -> tuple[bool, datetime | None]:
    """(readable, expiry): no expiry is readable and never lapses; one without an offset is unreadable."""
    if not value:
        return True, None
    try:
        expiry = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False, None
    return expiry.tzinfo is not None, expiry if expiry.tzinfo is not None else None
