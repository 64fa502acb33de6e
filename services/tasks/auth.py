"""Who may do what on the tasks service: one named dependency per kind of access."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, require

OpsRead = Annotated[Principal, Depends(require("admin", "ops", "analyst"))]
