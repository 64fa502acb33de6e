"""The locale field types of the API models: normalised values, and field errors naming the field."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from services.contributors.schemas.common import Country, TimeZone
from shared.languages import LanguageTag


class _Profile(BaseModel):
    country: Country
    timezone: TimeZone
    language: LanguageTag


def test_locale_types_normalise_in_a_pydantic_model() -> None:
    profile = _Profile(country="br", timezone="america/sao_paulo", language="pt-br")
    assert (profile.country, profile.timezone, profile.language) == ("BR", "America/Sao_Paulo", "pt-BR")


def test_locale_types_turn_value_errors_into_field_errors() -> None:
    with pytest.raises(ValidationError) as caught:
        _Profile(country="XK", timezone="local", language="en_US")
    assert {error["loc"] for error in caught.value.errors()} == {("country",), ("timezone",), ("language",)}
