"""The one route table: which service owns each /api/v1/<prefix>."""

ROUTE_TABLE: dict[str, str] = {
    # contributors: people, onboarding, recruitment, support, announcements, wellness, handover notes
    "contributors": "contributors",
    "campaigns": "contributors",
    "tickets": "contributors",
    "announcements": "contributors",
    "wellness": "contributors",
    "shift-notes": "contributors",
    # vendors: relationships, contracts and money, VMS integration
    "vendors": "vendors",
    "communications": "vendors",
    "contracts": "vendors",
    "rate-cards": "vendors",
    "negotiations": "vendors",
    "benchmarks": "vendors",
    "budgets": "vendors",
    "invoices": "vendors",
    "scorecards": "vendors",
    "webhooks": "vendors",
    "webhook-subscriptions": "vendors",
    # tasks: the work itself
    "projects": "tasks",
    "queues": "tasks",
    "assignments": "tasks",
    "submissions": "tasks",
    "reviews": "tasks",
    "production": "tasks",
    "stats": "tasks",
    "contributor-profiles": "tasks",
}


# Paths whose callers prove themselves another way (Standard Webhooks signatures checked by the
# owning service); the gateway forwards them as the anonymous `webhook_sender` principal.
SIGNATURE_AUTHENTICATED_PREFIXES = ("/api/v1/webhooks/vms/",)


def owning_service(path: str) -> str | None:
    """`/api/v1/contributors/7/transitions` → "contributors"; None for an unknown prefix."""
    prefix = path.removeprefix("/api/v1/").split("/", 1)[0]
    return ROUTE_TABLE.get(prefix)
