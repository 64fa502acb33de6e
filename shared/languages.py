"""Languages in one shape for every service: a BCP 47 tag (language[-script][-region][-variant]*) in
canonical case, and where it matters a proficiency.

A contributor speaks languages (a tag and a proficiency), a project requires languages and accepts task
locales (tags), a vendor works in languages (tags). They are compared by language: the primary subtag
(`de` of `de-CH`), at a minimum proficiency where one is set.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints

# RFC 5646 leaves tags unbounded (variants repeat); a cap keeps parsing and storage bounded.
MAX_LANGUAGE_TAG_LENGTH = 64

_ALPHA = re.compile(r"[A-Za-z]+")
_DIGITS = re.compile(r"[0-9]+")
_ALNUM = re.compile(r"[A-Za-z0-9]+")


def _language_subtag(subtag: str) -> str:
    if not (2 <= len(subtag) <= 8) or not _ALPHA.fullmatch(subtag):
        raise ValueError(f"primary language subtag must be 2 to 8 letters (e.g. 'en'), got {subtag!r}")
    return subtag.lower()


def _is_script(subtag: str) -> bool:
    return len(subtag) == 4 and bool(_ALPHA.fullmatch(subtag))


def _is_region(subtag: str) -> bool:
    return (len(subtag) == 2 and bool(_ALPHA.fullmatch(subtag))) or (
        len(subtag) == 3 and bool(_DIGITS.fullmatch(subtag))
    )


def _is_variant(subtag: str) -> bool:
    if not _ALNUM.fullmatch(subtag):
        return False
    return 5 <= len(subtag) <= 8 or (len(subtag) == 4 and subtag[0].isdigit())


def validate_language_tag(tag: str) -> str:
    """Return the BCP 47 tag language[-script][-region][-variant]* in canonical case, else raise ValueError.

    Extended language subtags, extensions (-u-, -t-, ...), private use (-x-) and grandfathered tags
    are refused: a contributor's language is matched against project requirements by language,
    script and region, and the other forms have simpler equivalents (e.g. 'yue' for 'zh-yue').
    """
    if not isinstance(tag, str):
        raise ValueError(f"language tag must be a string, got {type(tag).__name__}")
    raw = tag.strip()
    if not raw:
        raise ValueError("language tag must be a BCP 47 tag such as 'en-US', got an empty string")
    if len(raw) > MAX_LANGUAGE_TAG_LENGTH:
        raise ValueError(f"language tag is longer than {MAX_LANGUAGE_TAG_LENGTH} characters")
    if not raw.isascii():
        raise ValueError(f"language tag must contain only ASCII letters, digits and '-', got {tag!r}")
    if "_" in raw:
        raise ValueError(
            f"language tag subtags are separated by '-', not '_' (e.g. {raw.replace('_', '-')!r})"
        )
    subtags = raw.split("-")
    if any(not subtag for subtag in subtags):
        raise ValueError(f"language tag has an empty subtag: {tag!r}")

    parts = [_language_subtag(subtags[0])]
    rest = subtags[1:]
    if rest and _is_script(rest[0]):
        parts.append(rest.pop(0).title())
    if rest and _is_region(rest[0]):
        parts.append(rest.pop(0).upper())
    seen_variants: set[str] = set()
    for subtag in rest:
        if len(subtag) == 1:
            raise ValueError(
                f"extension and private-use subtags ('-{subtag}-...') are not accepted in {tag!r}; "
                "use language[-script][-region][-variant]"
            )
        if not _is_variant(subtag):
            if len(subtag) == 3 and _ALPHA.fullmatch(subtag):
                raise ValueError(
                    f"{subtag!r} in {tag!r} is an extended language subtag, which is not accepted; "
                    f"use the language itself (e.g. {subtag.lower()!r})"
                )
            raise ValueError(
                f"{subtag!r} in {tag!r} is not a script (4 letters), region (2 letters or 3 digits) "
                "or variant (5-8 characters, or a digit and 3 characters), or is out of order"
            )
        variant = subtag.lower()
        # RFC 5646 2.2.5: a variant must not repeat; a repeated one is a typo, never a different language.
        if variant in seen_variants:
            raise ValueError(f"variant {variant!r} appears twice in {tag!r}")
        seen_variants.add(variant)
        parts.append(variant)
    return "-".join(parts)


def primary_language(tag: str) -> str:
    """The language a tag names, without script, region or variant: what speaking it is compared by."""
    return str(tag).split("-", 1)[0].lower()


# The JSON-schema constraints let clients (and schemathesis) see the shape; the validator decides.
LanguageTag = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$", min_length=2, max_length=MAX_LANGUAGE_TAG_LENGTH
    ),
    AfterValidator(validate_language_tag),
]
Proficiency = Literal["basic", "fluent", "native"]
PROFICIENCY_RANK: dict[str, int] = {"basic": 1, "fluent": 2, "native": 3}
