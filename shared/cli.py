"""`python -m shared.cli migrate [service …]`: bring each service's own database to the newest schema."""

from __future__ import annotations

import argparse
import importlib

from shared.migrations import upgrade_to_head
from shared.settings import SERVICE_PORTS


def _settings(service: str):
    return importlib.import_module(f"services.{service}.settings").get_settings()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    migrate = sub.add_parser("migrate", help="alembic upgrade head for the named services (default: all)")
    migrate.add_argument("services", nargs="*", metavar="service")
    args = parser.parse_args(argv)
    unknown = set(args.services) - set(SERVICE_PORTS)
    if unknown:
        parser.error(f"unknown service(s): {', '.join(sorted(unknown))}; known: {', '.join(SERVICE_PORTS)}")
    if args.command == "migrate":
        for service in args.services or list(SERVICE_PORTS):
            settings = _settings(service)
            upgrade_to_head(service, settings.effective_database_url)
            print(f"migrated {service}: {settings.effective_database_url.split('@')[-1]}")


if __name__ == "__main__":
    main()
