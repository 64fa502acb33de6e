"""Every service has the same shape (README "Layout of a service"), so a reader who knows one knows all.

Read from the source tree as text: nothing here imports a service.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"
SERVICES = sorted(p.name for p in SERVICES_DIR.iterdir() if (p / "app.py").exists())

REQUIRED_MODULES = {"__init__.py", "app.py", "settings.py", "models.py", "deps.py"}
OPTIONAL_MODULES = {"events.py", "jobs.py", "metrics.py"}
PACKAGES = {"rules", "schemas", "repository", "service", "routes", "migrations"}
# The one declared exception (README "The assignment loop"): tasks keeps its hot path in one package.
EXTRA_PACKAGES = {"tasks": {"assignment"}}
# The console (README "Ops console") is a client of the gateway's public API, not a backend service: it
# keeps no data of its own (the session is an encrypted cookie) and reads no database, so it has no tables
# (models.py), no queries (repository/) and nothing to migrate (migrations/). In their place it has what a
# web front has: Jinja2 templates and its own static files. Its service/ calls the gateway over HTTP.
WITHOUT_DATABASE = {"console"}
DATABASE_MODULES = {"models.py"}
DATABASE_PACKAGES = {"repository", "migrations"}
WEB_PACKAGES = {"templates", "static"}
# Installed by `make install` (npm ci, git-ignored), never part of the source tree.
INSTALLED_FOLDERS = {"__pycache__", "node_modules"}
# What a pure rule may not reach: the database, the network, the web framework, or the layers that do.
IO_MODULES = (
    "sqlalchemy",
    "sqlmodel",
    "asyncpg",
    "aiosqlite",
    "httpx",
    "aiohttp",
    "redis",
    "fastapi",
    "starlette",
    "shared.db",
    "shared.rawsql",
    "shared.http",
    "shared.events",
)
LAYERS_WITH_IO = ("repository", "service", "routes", "jobs", "events", "app", "deps", "assignment")


def _modules(package: Path) -> list[Path]:
    return sorted(p for p in package.glob("*.py") if p.name != "__init__.py")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_there_are_services_to_check():
    assert {"contributors", "gateway", "tasks", "vendors", "console"} <= set(SERVICES)


@pytest.mark.parametrize("service", sorted(WITHOUT_DATABASE))
def test_a_process_without_a_database_reaches_none(service: str):
    reaching = {
        f"{path.relative_to(SERVICES_DIR)}: {name}"
        for path in (SERVICES_DIR / service).rglob("*.py")
        if "node_modules" not in path.parts
        for name in _imports(path)
        if name.startswith(("sqlalchemy", "sqlmodel", "asyncpg", "aiosqlite", "alembic"))
        or name.startswith(("shared.db", "shared.rawsql", "shared.events", "shared.migrations"))
    }

    assert not reaching


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_has_the_layouts_modules_and_no_others(service: str):
    top = {p.name for p in (SERVICES_DIR / service).glob("*.py")}
    required = REQUIRED_MODULES - DATABASE_MODULES if service in WITHOUT_DATABASE else REQUIRED_MODULES

    assert top >= required, required - top
    assert top <= required | OPTIONAL_MODULES, top - required - OPTIONAL_MODULES


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_has_the_layouts_packages(service: str):
    folders = {
        p.name for p in (SERVICES_DIR / service).iterdir() if p.is_dir() and p.name not in INSTALLED_FOLDERS
    }

    expected = PACKAGES | EXTRA_PACKAGES.get(service, set())
    if service in WITHOUT_DATABASE:
        expected = expected - DATABASE_PACKAGES | WEB_PACKAGES

    assert folders == expected, folders ^ expected


@pytest.mark.parametrize("service", SERVICES)
def test_rules_are_pure(service: str):
    layers = tuple(f"services.{service}.{layer}" for layer in LAYERS_WITH_IO)
    reaching = {
        f"{path.name}: {name}"
        for path in _modules(SERVICES_DIR / service / "rules")
        for name in _imports(path)
        if name.startswith(IO_MODULES) or name.startswith(layers)
    }

    assert not reaching


@pytest.mark.parametrize("service", SERVICES)
def test_routes_leave_queries_to_the_repository(service: str):
    building = {
        f"{path.name}: {name}"
        for path in _modules(SERVICES_DIR / service / "routes")
        for name in _imports(path)
        if name.startswith(("sqlalchemy", "sqlmodel", "shared.rawsql.RawQuery"))
    }

    assert not building


@pytest.mark.parametrize("service", SERVICES)
def test_a_services_schemas_package_reexports_nothing(service: str):
    init = SERVICES_DIR / service / "schemas" / "__init__.py"

    assert not [
        node for node in ast.parse(init.read_text()).body if isinstance(node, ast.ImportFrom | ast.Import)
    ]


def test_no_service_imports_another():
    crossing = {
        f"{path.relative_to(SERVICES_DIR)}: {name}"
        for service in SERVICES
        for path in (SERVICES_DIR / service).rglob("*.py")
        for name in _imports(path)
        if name.startswith("services.") and not name.startswith(f"services.{service}")
    }

    assert not crossing
