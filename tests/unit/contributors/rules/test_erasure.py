"""Pseudonymisation of an erased contributor."""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

import pytest

from services.contributors.rules.erasure import erased_fields, pseudonym_for

SECRET = b"k" * 32
OTHER_SECRET = b"j" * 32
ID = "c-1001"


def test_pseudonym_is_the_truncated_domain_separated_hmac_sha256() -> None:
    expected = hmac.new(SECRET, b"labelops:contributor-pseudonym:v1:c-1001", hashlib.sha256).hexdigest()[:32]
    assert pseudonym_for(ID, SECRET) == expected


def test_pseudonym_is_stable() -> None:
    assert pseudonym_for(ID, SECRET) == pseudonym_for(ID, SECRET)


def test_pseudonym_differs_per_contributor() -> None:
    assert pseudonym_for("c-1001", SECRET) != pseudonym_for("c-1002", SECRET)


def test_pseudonym_depends_on_the_secret() -> None:
    assert pseudonym_for(ID, SECRET) != pseudonym_for(ID, OTHER_SECRET)


def test_pseudonym_is_not_a_plain_hash_of_the_id() -> None:
    # an unkeyed digest could be reversed by hashing every possible id
    assert pseudonym_for(ID, SECRET) != hashlib.sha256(ID.encode()).hexdigest()[:32]


def test_pseudonym_is_32_lowercase_hex_characters() -> None:
    pseudonym = pseudonym_for(ID, SECRET)
    assert len(pseudonym) == 32 and set(pseudonym) <= set("0123456789abcdef")


def test_str_secret_equals_its_utf8_bytes() -> None:
    assert pseudonym_for(ID, "k" * 32) == pseudonym_for(ID, SECRET)


def test_int_and_uuid_ids_are_taken_as_their_string_form() -> None:
    uid = UUID("12345678-1234-5678-1234-567812345678")
    assert (pseudonym_for(42, SECRET), pseudonym_for(uid, SECRET)) == (
        pseudonym_for("42", SECRET),
        pseudonym_for("12345678-1234-5678-1234-567812345678", SECRET),
    )


def test_short_secret_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        pseudonym_for(ID, b"short")


def test_empty_id_is_rejected() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        pseudonym_for("  ", SECRET)


def test_erased_email_is_unique_per_contributor_and_undeliverable() -> None:
    pseudonym = pseudonym_for(ID, SECRET)
    assert erased_fields(ID, SECRET).email == f"erased+{pseudonym}@invalid"


def test_erased_email_local_part_fits_the_64_character_limit() -> None:
    assert len(erased_fields(ID, SECRET).email.split("@")[0]) == 39


def test_erased_name_carries_a_short_pseudonym() -> None:
    pseudonym = pseudonym_for(ID, SECRET)
    assert erased_fields(ID, SECRET).name == f"Erased contributor {pseudonym[:8]}"


def test_erased_free_text_is_a_fixed_marker() -> None:
    assert erased_fields(ID, SECRET).free_text == "[erased]"


def test_erased_fields_contain_no_trace_of_the_id() -> None:
    fields = erased_fields("alice-smith", SECRET)
    assert all("alice" not in value for value in (fields.name, fields.email, fields.free_text))
