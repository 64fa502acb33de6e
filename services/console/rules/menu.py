"""What the menu shows each role. It only shapes the pages: what a viewer may read is decided by the
gateway's API underneath (a page the menu hides still answers 403 or 404 from the API)."""

from __future__ import annotations

from dataclasses import dataclass

from services.console.rules.sessions import Viewer

STAFF = ("admin", "ops", "vendor_manager", "support", "analyst")


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str
    href: str


# Who works in each area (the API's own role sets: tickets are read by support/ops/admin/analyst, vendors
# by vendor_manager/ops/admin/analyst and a vendor's own staff, contributors by all staff and vendors).
AREAS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("desk", "Shift desk", "/desk", ("admin", "ops", "support", "analyst")),
    ("projects", "Projects", "/projects", ("admin", "ops", "vendor_manager", "analyst")),
    ("vendors", "Vendors", "/vendors", ("admin", "ops", "vendor_manager", "analyst", "vendor")),
    ("people", "People", "/people", (*STAFF, "vendor")),
    # A contributor's own corner: its tickets, announcements, wellness and where it gets work.
    ("mine", "My work", "/me", ("contributor",)),
)


def menu_for(viewer: Viewer) -> list[MenuEntry]:
    entries = []
    for key, label, href, roles in AREAS:
        if not viewer.has_any(*roles):
            continue
        if key == "vendors" and viewer.vendor_id is not None and not viewer.has_any(*STAFF):
            # A vendor's own staff have one vendor: theirs.
            href = f"/vendors/{viewer.vendor_id}"
        entries.append(MenuEntry(key, label, href))
    return entries


def home_for(viewer: Viewer) -> str:
    entries = menu_for(viewer)
    return entries[0].href if entries else "/account"
