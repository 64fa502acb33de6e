"""Who counts as whom on the contributors service: the role sets its access rules are built from, and
what a caller's roles mean for the rows it reaches and the history it records. Pure: no I/O."""

from shared.auth import OPERATIONS_STAFF, SERVICE_ROLE, Principal

# Support and operations, who run contributors, tickets, campaigns and announcements day to day.
CONTRIBUTOR_MANAGERS = ("admin", "ops", "support")
# Who writes shift notes and works their follow-ups (and so may own one).
SHIFT_NOTE_WRITERS = (*CONTRIBUTOR_MANAGERS, "vendor_manager")
# Callers whose reads of contributors are scoped to no vendor and no person: every operations role,
# integrations and peer services.
UNSCOPED_CONTRIBUTOR_READERS = (*OPERATIONS_STAFF, "integration", SERVICE_ROLE)


def is_manager(principal: Principal) -> bool:
    return principal.has_any(*CONTRIBUTOR_MANAGERS)


def vendor_scope(principal: Principal) -> int | None:
    """The vendor a non-staff caller is bound to (a vendor user, a vendor's integration), else None."""
    if principal.has_any(*CONTRIBUTOR_MANAGERS) or principal.is_service:
        return None
    if principal.has_any("vendor", "integration"):
        return principal.vendor_id
    return None


def actor_of(principal: Principal) -> str:
    """How history records a caller: its subject (user:7, apikey:3, service:vendors), never a name."""
    return principal.subject[:100]
