"""Unknown query parameters are refused (422 naming them), not silently ignored: a misspelt filter
(`?staus=open`) would otherwise answer everything as if it had been applied."""

from __future__ import annotations

from fastapi import Request
from fastapi.routing import APIRoute

from shared.errors import Unprocessable

# Routes live as long as their app and are not hashable: remembered by identity.
_DECLARED: dict[int, frozenset[str]] = {}


def declared_query_names(route: APIRoute) -> frozenset[str]:
    """Every query parameter the operation declares, its dependencies' included."""
    if id(route) in _DECLARED:
        return _DECLARED[id(route)]
    names: set[str] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        names.update(field.alias for field in dependant.query_params)
        stack.extend(dependant.dependencies)
    _DECLARED[id(route)] = frozenset(names)
    return _DECLARED[id(route)]


async def reject_unknown_query_parameters(request: Request) -> None:
    """Router dependency: 422 when the query string names a parameter the operation does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    known = declared_query_names(route)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise Unprocessable(
            f"unknown query parameter(s): {', '.join(unknown)}",
            errors=[
                {"pointer": f"/{name}", "field": name, "in": "query", "type": "extra_forbidden",
                 "detail": f"not a parameter of this operation (known: {listed})"}
                for name in unknown
            ],
        )  # fmt: skip
