"""What the gateway forwards where: the one route table (which service owns each /api/v1/<prefix>) and
which header fields cross it."""

from shared.logging import REQUEST_ID_HEADER

ROUTE_TABLE: dict[str, str] = {
    # contributors: people, onboarding, recruitment, support, announcements, wellness, handover notes
    "contributors": "contributors",
    "campaigns": "contributors",
    "tickets": "contributors",
    "canned-replies": "contributors",
    "announcements": "contributors",
    "wellness": "contributors",
    "shift-notes": "contributors",
    "requester-profiles": "contributors",
    "discord": "contributors",
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
SIGNATURE_AUTHENTICATED_PREFIXES = ("/api/v1/webhooks/vms/", "/api/v1/discord/interactions")


def owning_service(path: str) -> str | None:
    """`/api/v1/contributors/7/transitions` → "contributors"; None for an unknown prefix."""
    prefix = path.removeprefix("/api/v1/").split("/", 1)[0]
    return ROUTE_TABLE.get(prefix)


# RFC 9110 §7.6.1 hop-by-hop fields, plus the ones the gateway itself sets.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
# X-Forwarded-For is replaced by the one address the gateway settled on (deps.client_ip).
DROP_FROM_REQUEST = HOP_BY_HOP | {"authorization", "cookie", "x-forwarded-for", REQUEST_ID_HEADER.lower()}
# The gateway's own server sets Date and Server on every answer; relayed too, they would appear twice.
DROP_FROM_RESPONSE = (HOP_BY_HOP - {"content-length"}) | {"x-request-id", "date", "server"}
