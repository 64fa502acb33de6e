"""Rules of the support inbox: tags, canned replies and their placeholders, search terms, merging."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping

TAG = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,49}$")
MAX_TAGS = 20
# What a canned reply may say about the ticket it answers; anything else is refused when it is saved.
PLACEHOLDERS = frozenset({"ticket_id", "subject", "requester_name", "contributor_name", "agent"})
SEARCH_TERM = re.compile(r"\w+", re.UNICODE)
MAX_SEARCH_TERMS = 10


def normalized_tags(tags: Iterable[str]) -> list[str]:
    """Tags in one spelling (lower case, trimmed), each once, sorted; ValueError names a bad one."""
    found = sorted({t.strip().lower() for t in tags})
    for tag in found:
        if not TAG.match(tag):
            raise ValueError(
                f"tag {tag!r}: letters, digits and _ . : - only, up to 50, starting with a letter or digit"
            )
    if len(found) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags on a ticket")
    return found


def placeholders_in(body: str) -> set[str]:
    """The `{name}` placeholders of a canned reply; ValueError for a malformed or unknown one."""
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(body) if field is not None}
    except ValueError as exc:
        raise ValueError(f"malformed placeholder: {exc} (write {{{{ and }}}} for literal braces)") from exc
    unknown = sorted(n for n in names if n not in PLACEHOLDERS)
    if unknown or "" in names:
        raise ValueError(
            f"unknown placeholders {unknown or ['{}']}; known: {', '.join(sorted(PLACEHOLDERS))}"
        )
    return names


def render_canned(body: str, values: Mapping[str, object]) -> str:
    """The reply with its placeholders filled; a value the ticket lacks reads as an empty string."""
    placeholders_in(body)
    return body.format_map({name: "" if values.get(name) is None else values[name] for name in PLACEHOLDERS})


def search_terms(query: str) -> list[str]:
    """The words of a search, lower-cased: every one must match (the same on both databases, whatever
    punctuation or search syntax the query holds). ValueError when it has no word."""
    terms = [t.lower() for t in SEARCH_TERM.findall(query)][:MAX_SEARCH_TERMS]
    if not terms:
        raise ValueError("the search has no word to look for")
    return terms


def can_merge(source_contributor: int | None, target_contributor: int | None) -> bool:
    """Only one person's tickets merge: another contributor's thread would be shown to the wrong person."""
    return source_contributor is None or source_contributor == target_contributor
