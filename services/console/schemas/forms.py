"""The console's forms, validated before anything is sent to the API (which validates again)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class SignInForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: Line
    password: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    next: str = "/"


class ReplyForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    body: Text
    internal: bool = False


class AssignForm(BaseModel):
    """Agents are gateway users: a ticket is assigned to a support user's id."""

    model_config = ConfigDict(extra="ignore")

    assignee_id: Annotated[int, Field(ge=1)]
    version: int


class EscalateForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    lead_id: Annotated[int, Field(ge=1)]
    reason: Text


class TicketMoveForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    to: Literal["open", "in_progress", "waiting", "resolved", "closed"]
    note: str = ""


class ShiftNoteForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    team: Literal["relationship_managers", "community_leads", "delivery", "training"]
    subject: Line
    body: Text


class InvoiceMoveForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    to: Literal["submitted", "approved", "disputed", "paid"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    override_reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class GrantForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    grantee: Literal["contributor", "vendor", "crowd"]
    grantee_id: Annotated[int, Field(ge=1)] | None = None
    role: Literal["labeler", "reviewer"] = "labeler"
    expires_local: str = ""

    @model_validator(mode="after")
    def _id_for_a_person_or_vendor(self) -> "GrantForm":
        if self.grantee != "crowd" and self.grantee_id is None:
            raise ValueError(f"a {self.grantee} grant needs the {self.grantee}'s id")
        return self


class RevokeForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class OwnTicketForm(BaseModel):
    """A contributor's own query from the console (the web channel); the API sets its priority."""

    model_config = ConfigDict(extra="ignore")

    category: Literal["access", "guidelines", "technical", "payment", "other"]
    subject: Line
    body: Text
