"""Password hashing (argon2id) and the password policy."""

from typing import Literal

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106's second recommended option (t=3, 64 MiB, p=4), argon2-cffi's default. "cheapest" exists so
# test platforms, which log in hundreds of users, do not spend most of their time hashing; production
# refuses it (GatewaySettings).
HashProfile = Literal["rfc9106-low-memory", "cheapest"]
HASH_PROFILES = {"rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}

MIN_LENGTH = 12
# NIST SP 800-63B: length and a blocklist of known-bad passwords, not composition rules.
COMMON_PASSWORDS = frozenset(
    {
        "password1234",
        "123456789012",
        "qwertyuiopas",
        "passwordpassword",
        "letmein12345",
        "iloveyou1234",
        "administrator",
        "welcome12345",
        "changeme1234",
        "labelops1234",
    }
)


class Passwords:
    """Hashes new passwords with one argon2id profile and verifies stored hashes (each names its own)."""

    def __init__(self, profile: HashProfile = "rfc9106-low-memory"):
        self._hasher = PasswordHasher.from_parameters(HASH_PROFILES[profile])
        # Verifying against this keeps a login for an unknown email as slow as one for a known email.
        self._dummy_hash = self._hasher.hash("labelops-timing-equaliser")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return (
                self._hasher.verify(password_hash or self._dummy_hash, password) and password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False


def password_problems(password: str, *, email: str) -> list[str]:
    """Why a password is refused: too short, well known, built from the email, or too repetitive."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if password.lower() in COMMON_PASSWORDS:
        problems.append("is a commonly used password")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append("must not contain the email address")
    if len(set(password)) < 5:
        problems.append("must use at least 5 different characters")
    return problems
