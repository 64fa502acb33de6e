"""The console's forms, validated before anything is sent to the API (which validates again)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class SignInForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: Line
    password: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    next: str = "/"
