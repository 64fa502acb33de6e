"""The role → operation map of every route, read from the apps themselves.

Each route declares who may call it with a named dependency built by `shared.auth.require(...)` (or
the gateway's equivalents); this walks every app's routes and collects those rules, so the README table
and the route × role matrix test can never disagree with the code.

    .venv/bin/python -m scripts.access_map            # prints the Markdown table
    .venv/bin/python -m scripts.access_map --readme   # rewrites the table in README.md
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.dependencies.models import Dependant

from shared.auth import ROLES

SERVICES = ("gateway", "contributors", "vendors", "tasks")
# Routes that authenticate the caller differently: by password, refresh token or webhook signature.
PUBLIC = "public"
ANY_USER = "any authenticated caller"


@dataclass(frozen=True)
class RouteRule:
    service: str
    method: str
    path: str
    roles: frozenset[str] | None  # None: no rule found (a defect the matrix test reports)
    kind: str = "roles"  # roles | public | any

    def allows(self, role: str) -> bool:
        if self.kind in ("public", "any"):
            return True
        return self.roles is not None and role in self.roles


def _rules_of(dependant: Dependant) -> list[frozenset[str]]:
    found = []
    for dep in dependant.dependencies:
        roles = getattr(dep.call, "allowed_roles", None)
        if roles is not None:
            found.append(frozenset(roles))
        found.extend(_rules_of(dep))
    return found


def _is_any_user(dependant: Dependant) -> bool:
    return any(
        getattr(dep.call, "any_authenticated_user", False) or _is_any_user(dep)
        for dep in dependant.dependencies
    )


def _flat_routes(routes: list[Any]) -> Iterator[Any]:
    """FastAPI keeps included routers as wrappers; their effective routes carry path, methods, dependant."""
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()
        else:
            yield route


def route_rules() -> list[RouteRule]:
    rules = []
    for service in SERVICES:
        app = importlib.import_module(f"services.{service}.app").create_app()
        for route in _flat_routes(app.routes):
            dependant = getattr(route, "dependant", None)
            path = getattr(route, "path", None) or ""
            if (
                dependant is None
                or not path.startswith("/api/")
                or not getattr(route, "include_in_schema", False)
            ):
                continue
            found = _rules_of(dependant)
            public = getattr(route.endpoint, "public_route", False)
            for method in sorted(route.methods - {"HEAD"}):
                if public:
                    rules.append(RouteRule(service, method, route.path, None, "public"))
                elif found:
                    allowed = frozenset.intersection(*found)
                    rules.append(RouteRule(service, method, route.path, allowed))
                elif _is_any_user(dependant):
                    rules.append(RouteRule(service, method, route.path, None, "any"))
                else:
                    rules.append(RouteRule(service, method, route.path, None))
    return rules


def markdown_table(rules: list[RouteRule]) -> str:
    header = "| Service | Method | Path | " + " | ".join(ROLES) + " |"
    lines = [header, "|" + "---|" * (3 + len(ROLES))]
    for rule in sorted(rules, key=lambda r: (r.service, r.path, r.method)):
        if rule.kind == "public":
            cells = ["(public)"] + [""] * (len(ROLES) - 1)
        else:
            cells = ["✓" if rule.allows(role) else "" for role in ROLES]
        lines.append(f"| {rule.service} | {rule.method} | `{rule.path}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- access-table:start -->", "<!-- access-table:end -->"


def readme_with_table(readme: str, table: str) -> str:
    """README text with the generated table between its markers."""
    before, _, rest = readme.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{table}\n{END}{after}"


if __name__ == "__main__":
    table = markdown_table(route_rules())
    if "--readme" in sys.argv:
        README.write_text(readme_with_table(README.read_text(), table))
    else:
        print(table)
