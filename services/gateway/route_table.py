"""The one route table: which service owns each /api/v1/<prefix>."""

ROUTE_TABLE: dict[str, str] = {
    # contributors: people, onboarding, support, wellness
    "contributors": "contributors",
    # vendors: relationships and money
    "vendors": "vendors",
    # tasks: the work itself
    "contributor-profiles": "tasks",
}


def owning_service(path: str) -> str | None:
    """`/api/v1/contributors/7/transitions` → "contributors"; None for an unknown prefix."""
    prefix = path.removeprefix("/api/v1/").split("/", 1)[0]
    return ROUTE_TABLE.get(prefix)
