"""Rules of user accounts: role lists and the last enabled admin."""

from typing import Any


def normalized_roles(roles: list[str]) -> list[str]:
    return sorted(set(roles))


def demotes_an_enabled_admin(*, roles: list[str], disabled: bool, changes: dict[str, Any]) -> bool:
    """Whether `changes` take the admin role from an enabled admin, or disable one."""
    stays_admin = "admin" in changes.get("roles", roles) and not changes.get("disabled", disabled)
    return "admin" in roles and not disabled and not stays_admin


def default_display_name(email: str) -> str:
    """A user created without a display name is shown by its email's name part (`ada.l@x.org` → `ada.l`)."""
    return email.split("@", 1)[0][:200] or email[:200]
