"""A throwaway PostgreSQL cluster from Debian's `postgresql` package, or a configured server.

When `DATABASE_URL` names a server, that server is used as is. Otherwise a cluster is created in
the state folder, listening on 127.0.0.1 only, with trust authentication (loopback, throwaway).
PostgreSQL refuses to run as root, so under root the cluster runs as the `postgres` user.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from deploy.local.processes import (
    InfrastructureError,
    ManagedProcess,
    port_accepts,
    require_free_port,
    wait_until,
)


def _bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major, reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _major(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except (ValueError, IndexError):
        return 0


def ensure_binaries() -> Path:
    """The folder holding initdb and postgres; installs Debian's package when missing (as root)."""
    found = _bin_dir()
    if found is not None:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise InfrastructureError(
            "PostgreSQL is not installed. Install it (Debian: sudo apt-get install -y postgresql) "
            "or point DATABASE_URL at a running server."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "postgresql"]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise InfrastructureError(f"`{' '.join(cmd)}` failed:\n{done.stderr[-2000:]}")
    found = _bin_dir()
    if found is None:
        raise InfrastructureError("apt-get installed postgresql but initdb was not found")
    return found


@dataclass
class PostgresServer:
    """A cluster under `state_dir`, on 127.0.0.1:`port`, superuser `postgres`, no password."""

    state_dir: Path
    port: int = 5432
    durable: bool = True

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "data"

    @property
    def process(self) -> ManagedProcess:
        return ManagedProcess(
            "postgres", self.state_dir / "postgres.pid", self.state_dir / "postgres.log"
        )

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _user(self) -> str | None:
        return "postgres" if os.geteuid() == 0 else None

    def _chown(self, path: Path) -> None:
        if self._user() is not None:
            shutil.chown(path, "postgres", "postgres")

    def _check_reachable(self) -> None:
        """Under root the server runs as `postgres`, which must be able to reach its folder."""
        if self._user() is None:
            return
        for parent in self.state_dir.resolve().parents:
            if not parent.stat().st_mode & 0o001:
                raise InfrastructureError(
                    f"the postgres user cannot enter {parent}; run `chmod o+x {parent}` or set "
                    "PANA_STATE_DIR to a folder under a world-traversable path"
                )

    def start(self, timeout: float = 60.0) -> None:
        """Create the cluster on first use, start it unless it runs, wait until it accepts."""
        if self.process.running():
            return
        require_free_port(self.port, "PostgreSQL", "PANA_POSTGRES_PORT")
        bindir = ensure_binaries()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._check_reachable()
        self._chown(self.state_dir)
        if not (self.data_dir / "PG_VERSION").exists():
            shutil.rmtree(self.data_dir, ignore_errors=True)  # half-made by a crashed initdb
            done = subprocess.run(
                [
                    str(bindir / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync",
                ],
                capture_output=True, text=True, user=self._user(), check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise InfrastructureError(f"initdb failed:\n{done.stdout}{done.stderr}")
        # A postmaster.pid left by a crash is handled by postgres itself when its pid is gone.
        options = [
            "-p", str(self.port), "-h", "127.0.0.1", "-k", str(self.state_dir),
            "-c", "max_connections=300", "-c", "shared_buffers=128MB",
        ]  # fmt: skip
        if not self.durable:
            # Test clusters only: fsync off trades crash safety of the OS for speed; a killed
            # postgres process (not the OS) still loses nothing.
            options += ["-c", "fsync=off", "-c", "full_page_writes=off"]
        self.process.start(
            [str(bindir / "postgres"), "-D", str(self.data_dir), *options], user=self._user()
        )
        self._chown(self.process.log_file)
        if not wait_until(lambda: self._ready(bindir) or not self.process.running(), timeout):
            self.stop()
            raise InfrastructureError(f"PostgreSQL did not start in {timeout:.0f}s:\n{self.tail()}")
        if not self.process.running():
            raise InfrastructureError(f"PostgreSQL exited at start:\n{self.tail()}")

    def _ready(self, bindir: Path) -> bool:
        if not port_accepts(self.port):
            return False
        done = subprocess.run(
            [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
            check=False,
        )
        return done.returncode == 0

    def stop(self) -> None:
        """Fast shutdown (SIGINT: abort sessions, checkpoint), SIGKILL after 30 s."""
        import signal

        self.process.stop(timeout=30, sig=signal.SIGINT)

    def tail(self) -> str:
        return self.process.log_tail()


def url_as(server_url: str, user: str, password: str, database: str) -> str:
    """The URL of `database` on the server `server_url` names, logging in as `user`."""
    parts = urlsplit(server_url)
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, parts.fragment))


def role_passwords(path: Path, roles: list[str]) -> dict[str, str]:
    """Each role's password, made once and kept in `path` (0600) beside the cluster's state."""
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [r for r in roles if r not in known]
    if missing:
        known.update({r: secrets.token_urlsafe(24) for r in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(json.dumps(known, indent=2))
    return {r: known[r] for r in roles}


async def ensure_service_role(server_url: str, role: str, password: str, database: str) -> None:
    """Make `role` a login role that owns nothing, allowed to connect to `database` (the schema's
    owner, the server URL's user, migrates and grants it the data: eventkit.service)."""
    if not role.replace("_", "").isalnum() or not role.isascii():
        raise ValueError(f"not a plain role name: {role!r}")
    conn = await asyncpg.connect(url_with_database(server_url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
        verb = "ALTER" if exists else "CREATE"
        literal = await conn.fetchval("SELECT quote_literal($1)", password)
        try:
            await conn.execute(
                f'{verb} ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {literal}'
            )
        except asyncpg.DuplicateObjectError:  # another stack made it meanwhile
            await conn.execute(f'ALTER ROLE "{role}" LOGIN PASSWORD {literal}')
        await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
    finally:
        await conn.close()


def url_with_database(server_url: str, database: str) -> str:
    """`server_url` naming `database` instead."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))
