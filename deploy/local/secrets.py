"""Local secrets for `make up` and `docker compose`: a token issuer, keys and passwords.

`python -m deploy.local.secrets <folder>` writes, once, `signing-key.pem` and `jwks.json` (the
local issuer), `personal-data.env` (the master key that wraps participants' data keys and the
blind-index key), `web-session.key` (seals the web app's sessions) and
`keycloak-admin.password` (the compose Keycloak's administrator). Production takes them from its
identity provider and secret store instead.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path

from access.signing import write_keys

KEY_NAMES = ("PANA_PERSONAL_DATA_MASTER_KEY", "PANA_PERSONAL_DATA_BLIND_INDEX_KEY")


def ensure_local_secrets(folder: Path) -> dict[str, str]:
    """Create the files unless present; return the environment the services need."""
    folder.mkdir(parents=True, exist_ok=True)
    jwks = folder / "jwks.json"
    if not jwks.exists():
        write_keys(folder)
    env_file = folder / "personal-data.env"
    if not env_file.exists():
        lines = [f"{n}={base64.b64encode(secrets.token_bytes(32)).decode()}\n" for n in KEY_NAMES]
        fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.writelines(lines)
    keys = dict(line.strip().split("=", 1) for line in env_file.read_text().splitlines() if line)
    return {"PANA_AUTH_JWKS_PATH": str(jwks), **keys}


def ensure_web_session_key(folder: Path) -> Path:
    """The key that seals the web app's sessions in its database (`web-session.key`, 0600),
    made once; its path (`PANA_WEB_SESSION_KEY_FILE`)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "web-session.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(32)).decode())
    return path


def ensure_keycloak_admin_password(folder: Path) -> Path:
    """The compose Keycloak's bootstrap administrator password (`keycloak-admin.password`,
    0600), made once; `make up`'s Keycloak keeps its own in `.local/keycloak`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "keycloak-admin.password"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(18))
    return path


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".local/auth")
    ensure_local_secrets(folder)
    ensure_web_session_key(folder)
    ensure_keycloak_admin_password(folder)
