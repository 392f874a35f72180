"""A local issuer for development and tests: make a signing key, issue tokens for a principal.

python -m access.tokens keygen --out DIR [--alg ES256|RS256]
python -m access.tokens issue --key DIR/signing-key.pem --sub ... --org ... --role ...
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from access.principal import InconsistentClaims, Principal, Role
from access.tokens import DEV_AUDIENCE, DEV_ISSUER
from program.load import current_program

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def generate_key(algorithm: str = "ES256") -> SigningKey:
    """A new private key for ES256 (P-256) or RS256 (3072-bit RSA)."""
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    raise ValueError(f"unsupported algorithm {algorithm}; use ES256 or RS256")


def algorithm_of(key: SigningKey) -> str:
    """The JWS algorithm a key signs with."""
    return "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "RS256"


def public_jwk(key: SigningKey) -> dict[str, Any]:
    """The public half as a JWK, with `kid` its RFC 7638 thumbprint (stable for the key)."""
    algorithm = algorithm_of(key)
    jwk: dict[str, Any] = jwt.get_algorithm_by_name(algorithm).to_jwk(
        key.public_key(), as_dict=True
    )
    required = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("e", "kty", "n")
    members = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(members.encode()).digest())
    return {**jwk, "kid": thumbprint.rstrip(b"=").decode(), "alg": algorithm, "use": "sig"}


def write_keys(out: Path, algorithm: str = "ES256") -> tuple[Path, Path]:
    """Write `signing-key.pem` (owner-only) and `jwks.json` into `out`; return both paths."""
    out.mkdir(parents=True, exist_ok=True)
    key = generate_key(algorithm)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),  # a local development key; production keys stay in the IdP
    )
    key_path, jwks_path = out / "signing-key.pem", out / "jwks.json"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    jwks_path.write_text(json.dumps({"keys": [public_jwk(key)]}, indent=2) + "\n")
    return key_path, jwks_path


def load_key(path: Path) -> SigningKey:
    """Read a private key written by `write_keys`."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"{path} holds neither an EC nor an RSA private key")
    return key


def issue_token(
    key: SigningKey,
    claims: dict[str, Any],
    *,
    issuer: str = DEV_ISSUER,
    audience: str = DEV_AUDIENCE,
    ttl: timedelta = timedelta(hours=1),
    now: datetime | None = None,
) -> str:
    """A signed JWT with `claims` plus iss, aud, iat, nbf, exp (`claims` may override them)."""
    issued = now or datetime.now(UTC)
    registered = {"iss": issuer, "aud": audience, "iat": issued, "nbf": issued, "exp": issued + ttl}
    kid = public_jwk(key)["kid"]
    return jwt.encode(
        {**registered, **claims}, key, algorithm=algorithm_of(key), headers={"kid": kid}
    )


def main(argv: Sequence[str] | None = None) -> int:
    """The `keygen` and `issue` commands."""
    parser = argparse.ArgumentParser(
        prog="python -m access.tokens",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    keygen = commands.add_parser("keygen", help="write a signing key and its public JWKS")
    keygen.add_argument("--out", type=Path, required=True, help="folder for the two files")
    keygen.add_argument("--alg", choices=["ES256", "RS256"], default="ES256")
    issue = commands.add_parser("issue", help="print a token for one principal")
    issue.add_argument("--key", type=Path, required=True, help="signing-key.pem from keygen")
    issue.add_argument("--sub", required=True, help="the user's id at the issuer")
    issue.add_argument("--org", required=True, help="the organization id")
    issue.add_argument("--role", required=True, choices=[r.value for r in Role])
    issue.add_argument(
        "--region",
        action="append",
        default=[],
        choices=sorted(current_program().codes("territory")),
        help="a region the principal acts in (repeat for several)",
    )
    issue.add_argument("--provider-id", help="the provider a clinic acts for")
    issue.add_argument("--unit-id", help="the unit a receiving service acts for")
    issue.add_argument("--ttl", type=int, default=3600, help="seconds of validity")
    issue.add_argument("--issuer", default=os.environ.get("PANA_AUTH_ISSUER", DEV_ISSUER))
    issue.add_argument("--audience", default=os.environ.get("PANA_AUTH_AUDIENCE", DEV_AUDIENCE))
    # Defaults match TokenSettings' development defaults, so a local service accepts the token.
    args = parser.parse_args(argv)
    if args.command == "keygen":
        key_path, jwks_path = write_keys(args.out, args.alg)
        print(f"private key: {key_path}\npublic JWKS: {jwks_path}")
        return 0
    claims: dict[str, Any] = {"sub": args.sub, "org": args.org, "role": args.role}
    claims |= {"regions": args.region, "provider_id": args.provider_id, "unit_id": args.unit_id}
    claims = {k: v for k, v in claims.items() if v}
    try:
        Principal.from_claims(claims)  # refuse to issue what every service would reject
    except InconsistentClaims as exc:
        parser.error(exc.reason)
    ttl = timedelta(seconds=args.ttl)
    print(
        issue_token(load_key(args.key), claims, issuer=args.issuer, audience=args.audience, ttl=ttl)
    )
    return 0
