"""Country, time zone and language tag validation (the tag: shared/languages.py)."""

from __future__ import annotations

import pytest

from services.contributors.rules.locale import COUNTRY_CODES, validate_country, validate_timezone
from shared.languages import MAX_LANGUAGE_TAG_LENGTH, primary_language, validate_language_tag

# --- country -------------------------------------------------------------------------------------


def test_country_table_holds_the_249_officially_assigned_codes() -> None:
    # given the ISO 3166-1 table / when counted / then it has every assigned code and only those
    assert len(COUNTRY_CODES) == 249


@pytest.mark.parametrize(
    "code",
    ["AX", "BQ", "CW", "SS", "SX", "MF", "BL", "AQ", "BV", "UM", "PS", "TW", "HK", "MO", "EH"],
)
def test_country_accepts_recently_assigned_and_special_territories(code: str) -> None:
    assert validate_country(code) == code


def test_country_is_normalised_to_uppercase() -> None:
    assert validate_country("de") == "DE"


def test_country_ignores_surrounding_whitespace() -> None:
    assert validate_country(" fr ") == "FR"


@pytest.mark.parametrize("code", ["XK", "ZZ", "AA", "QM", "XX", "AN", "YU", "CS", "EU"])
def test_country_rejects_unassigned_user_assigned_and_withdrawn_codes(code: str) -> None:
    with pytest.raises(ValueError, match="not an officially assigned"):
        validate_country(code)


def test_country_uk_is_refused_with_a_hint_to_use_gb() -> None:
    with pytest.raises(ValueError, match="use 'GB'"):
        validate_country("uk")


@pytest.mark.parametrize("code", ["", "D", "DEU", "276", "D1", "ÄÖ"])
def test_country_rejects_anything_but_two_ascii_letters(code: str) -> None:
    with pytest.raises(ValueError, match="two-letter ISO 3166-1 alpha-2"):
        validate_country(code)


def test_country_rejects_non_string() -> None:
    with pytest.raises(ValueError, match="must be a string"):
        validate_country(49)  # type: ignore[arg-type]


# --- time zone -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Europe/Paris", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "UTC"])
def test_timezone_accepts_iana_names(name: str) -> None:
    assert validate_timezone(name) == name


def test_timezone_is_matched_case_insensitively_and_returned_canonical() -> None:
    assert validate_timezone("asia/manila") == "Asia/Manila"


@pytest.mark.parametrize("name", ["local", "localtime", "LOCAL", "Factory"])
def test_timezone_rejects_host_dependent_and_placeholder_names(name: str) -> None:
    with pytest.raises(ValueError, match="not a location"):
        validate_timezone(name)


@pytest.mark.parametrize("name", ["", "   "])
def test_timezone_rejects_empty(name: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        validate_timezone(name)


@pytest.mark.parametrize("name", ["Europe/Atlantis", "GMT+25", "+02:00", "CEST", "../etc/passwd"])
def test_timezone_rejects_unknown_names_and_offsets(name: str) -> None:
    with pytest.raises(ValueError, match="not a known IANA time zone"):
        validate_timezone(name)


# --- language tag --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [
        ("en", "en"),
        ("EN-us", "en-US"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("SR-LATN", "sr-Latn"),
        ("es-419", "es-419"),
        ("de-ch-1996", "de-CH-1996"),
        ("sl-Rozaj-BISKE", "sl-rozaj-biske"),
        ("fil", "fil"),
        ("yue-Hant-HK", "yue-Hant-HK"),
        ("hy-Latn-IT-arevela", "hy-Latn-IT-arevela"),
    ],
)
def test_language_tag_is_returned_in_canonical_case(tag: str, canonical: str) -> None:
    assert validate_language_tag(tag) == canonical


def test_language_tag_primary_subtag_of_five_to_eight_letters_is_well_formed() -> None:
    assert validate_language_tag("Lojbanx") == "lojbanx"


@pytest.mark.parametrize("tag", ["e", "englishes", "e1", "123"])
def test_language_tag_rejects_bad_primary_language(tag: str) -> None:
    with pytest.raises(ValueError, match="primary language subtag"):
        validate_language_tag(tag)


def test_language_tag_rejects_region_before_script() -> None:
    with pytest.raises(ValueError, match="out of order"):
        validate_language_tag("zh-TW-Hant")


def test_language_tag_rejects_two_digit_region() -> None:
    with pytest.raises(ValueError, match="'41'"):
        validate_language_tag("es-41")


def test_language_tag_rejects_too_long_subtag() -> None:
    with pytest.raises(ValueError, match="'abcdefghi'"):
        validate_language_tag("en-abcdefghi")


def test_language_tag_rejects_extended_language_subtag_with_a_hint() -> None:
    with pytest.raises(ValueError, match="extended language subtag.*'yue'"):
        validate_language_tag("zh-yue")


@pytest.mark.parametrize("tag", ["en-US-u-ca-gregory", "de-x-private", "x-klingon"])
def test_language_tag_rejects_extensions_and_private_use(tag: str) -> None:
    with pytest.raises(ValueError):
        validate_language_tag(tag)


def test_language_tag_rejects_repeated_variant() -> None:
    with pytest.raises(ValueError, match="variant '1996' appears twice"):
        validate_language_tag("de-1996-1996")


def test_language_tag_rejects_underscore_with_a_hint() -> None:
    with pytest.raises(ValueError, match="'en-US'"):
        validate_language_tag("en_US")


@pytest.mark.parametrize("tag", ["", "en-", "-en", "en--US"])
def test_language_tag_rejects_empty_subtags(tag: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        validate_language_tag(tag)


def test_language_tag_rejects_non_ascii() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        validate_language_tag("en-ÜS")


def test_language_tag_rejects_overlong_input() -> None:
    tag = "de" + "-1996" * 20
    assert len(tag) > MAX_LANGUAGE_TAG_LENGTH
    with pytest.raises(ValueError, match="longer than 64"):
        validate_language_tag(tag)


@pytest.mark.parametrize(
    ("tag", "language"), [("de-CH", "de"), ("EN", "en"), ("zh-Hant-TW", "zh"), ("fil", "fil")]
)
def test_a_tag_is_compared_by_its_primary_language(tag: str, language: str) -> None:
    assert primary_language(tag) == language
