"""Prepare `var/dev.env` for `make run`: the bootstrap admin, with a generated password when unset.

The generated password is kept in var/dev.env, so it stays the same across restarts; set
LABELOPS_ADMIN_EMAIL / LABELOPS_ADMIN_PASSWORD to choose your own.
"""

import os
import secrets
from pathlib import Path

ENV_FILE = Path(os.environ.get("LABELOPS_DATA_DIR", "var")) / "dev.env"


def read_env_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def main() -> None:
    saved = read_env_file(ENV_FILE)
    email = os.environ.get("LABELOPS_ADMIN_EMAIL") or saved.get("LABELOPS_ADMIN_EMAIL") or "admin@example.com"
    password = (
        os.environ.get("LABELOPS_ADMIN_PASSWORD")
        or saved.get("LABELOPS_ADMIN_PASSWORD")
        or secrets.token_urlsafe(18)
    )
    ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
    ENV_FILE.write_text(f"LABELOPS_ADMIN_EMAIL={email}\nLABELOPS_ADMIN_PASSWORD={password}\n")
    ENV_FILE.chmod(0o600)
    print(
        "\n  LabelOps is starting:\n"
        "    Console  http://127.0.0.1:8004\n"
        "    API      http://127.0.0.1:8000/api/v1\n"
        "    Docs     http://127.0.0.1:8000/docs\n"
        "    Ready?   http://127.0.0.1:8000/readyz\n"
        f"    Admin    {email} / {password}\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )


if __name__ == "__main__":
    main()
