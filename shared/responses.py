"""Responses the hot paths build themselves, skipping response-model validation."""

from typing import Any

import orjson
from starlette.responses import Response


class JSONBytes(Response):
    """A dict already in its response model's shape, serialised by orjson (datetimes as ISO 8601)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
