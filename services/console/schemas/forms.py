"""The console's forms, validated before anything is sent to the API (which validates again)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


def _wall_clock(value: str) -> str:
    if value:
        datetime.fromisoformat(value)  # a ValueError is the form's 422, naming the field
    return value


# A `datetime-local` input (the viewer's wall clock, no offset), or empty.
LocalTime = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_wall_clock)
]
# The page a form was sent from, to go back to; only ever followed where a rule allows it (rules/grants.py).
Back = Annotated[str, StringConstraints(max_length=1000)]
# A <select> whose first option is "" (nothing chosen).
ChosenId = Annotated[int | None, BeforeValidator(lambda v: None if v == "" else v), Field(ge=1)]


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


class FollowUpForm(BaseModel):
    """A follow-up added to a shift note: what, who (a user from the picker), due when on the viewer's clock."""

    model_config = ConfigDict(extra="ignore")

    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    owner_id: Annotated[int, Field(ge=1)]
    due_local: LocalTime = ""


class FollowUpEditForm(BaseModel):
    """A follow-up's text, owner and due time as edited. `due_shown` is the due time the form showed: the
    input keeps minutes only, so an untouched one is not sent back (it would move the seconds)."""

    model_config = ConfigDict(extra="ignore")

    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    owner_id: ChosenId = None
    due_local: LocalTime = ""
    due_shown: str = ""
    version: int


class FollowUpDoneForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    done: bool
    version: int


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
    expires_local: LocalTime = ""
    back: Back = ""

    @model_validator(mode="after")
    def _id_for_a_person_or_vendor(self) -> "GrantForm":
        if self.grantee != "crowd" and self.grantee_id is None:
            raise ValueError(f"a {self.grantee} grant needs the {self.grantee}'s id")
        return self


class RevokeForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    back: Back = ""


class OwnTicketForm(BaseModel):
    """A contributor's own query from the console (the web channel); the API sets its priority."""

    model_config = ConfigDict(extra="ignore")

    category: Literal["access", "guidelines", "technical", "payment", "other"]
    subject: Line
    body: Text
