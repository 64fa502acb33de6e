"""The RSA key pair that signs user access tokens."""

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True)
class SigningKeys:
    private_pem: str
    public_pem: str


def load_or_create_signing_keys(path: Path, *, create: bool) -> SigningKeys:
    """Read the PEM at `path`; in development a missing key is generated there (0600)."""
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"JWT signing key {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        tmp.replace(path)
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return SigningKeys(private_pem=path.read_text(), public_pem=public_pem.decode())
