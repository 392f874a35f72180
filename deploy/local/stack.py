"""`python -m deploy.local.stack up|down|status`: the whole system on one machine, no Docker.

Starts a real Kafka broker and a real PostgreSQL server (or uses `DATABASE_URL`), creates one
database per service, starts the four services and the imports API (`deploy/imports`, the
supervisors' upload) as separate processes, waits until every `/readyz` answers 200 and prints
where to look. State (data, logs, pid files) lives in
`PANA_STATE_DIR` (default `.local/` in the repository).

The broker requires SCRAM: each service connects as its own Kafka principal, whose password is
generated on first start (`<state>/kafka/credentials.json`, 0600, like the signing key) and
handed to it in `PANA_KAFKA_*`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from deploy.keycloak.server import KeycloakServer
from deploy.local import sample_directory, sign_in_accounts
from deploy.local.kafka import KafkaBroker
from deploy.local.postgres import PostgresServer, ensure_service_role, role_passwords, url_as
from deploy.local.processes import (
    InfrastructureError,
    ManagedProcess,
    require_free_port,
    wait_until,
)
from deploy.local.secrets import ensure_local_secrets, ensure_web_session_key
from program.load import current_program

ROOT = Path(__file__).resolve().parents[2]
SERVICE_PORTS = {"cases": 8001, "referrals": 8002, "vouchers": 8003, "indicators": 8004}
IMPORTS = "imports"
"""The supervisors' import API (`python -m deploy.imports`): no Kafka, its jobs in `pana_imports`
(the database `pana-ops import` uses too), tokens minted with the local issuer's key."""
IMPORTS_PORT = 8006
WEB_DATABASE = "pana_web"
"""The web app's sessions: its own database, owned by its own role of the same name."""


def database_url_for(server_url: str, database: str) -> str:
    """The URL of `database` on the server that `server_url` names."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def create_databases(server_url: str, names: list[str]) -> None:
    """Create each database unless it exists (CREATE DATABASE has no IF NOT EXISTS)."""
    conn = await asyncpg.connect(database_url_for(server_url, "postgres"))
    try:
        existing = {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
        for name in names:
            if name not in existing:
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def wait_ready(services: Mapping[str, tuple[ManagedProcess, str]], timeout: float) -> list[str]:
    """Poll each service's `/readyz` (its process and base URL) until every one answers 200 or
    `timeout` seconds pass; the names still not ready. A service whose process exits fails at
    once, with the tail of its log."""
    pending = list(services)
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as client:
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                process, url = services[name]
                if not process.running():
                    raise InfrastructureError(f"the {name} service exited:\n{process.log_tail()}")
                try:
                    if client.get(f"{url}/readyz").status_code == 200:
                        pending.remove(name)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
    return pending


@dataclass
class LocalStack:
    """Kafka, PostgreSQL and the services, each a process recorded under `state_dir`."""

    state_dir: Path
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    postgres_port: int = 5432
    external_database_url: str | None = None
    service_ports: dict[str, int] = field(default_factory=lambda: dict(SERVICE_PORTS))
    environment: str = "development"
    keycloak_port: int = 8180
    sign_in: bool = False
    """Whether Keycloak and the web app run too (`make up`: yes unless PANA_KEYCLOAK=0)."""
    web_port: int = 8000
    imports_port: int = IMPORTS_PORT

    @classmethod
    def from_env(cls) -> LocalStack:
        env = os.environ
        return cls(
            state_dir=Path(env.get("PANA_STATE_DIR", ROOT / ".local")),
            kafka_port=int(env.get("PANA_KAFKA_PORT", 9092)),
            kafka_controller_port=int(env.get("PANA_KAFKA_CONTROLLER_PORT", 9093)),
            postgres_port=int(env.get("PANA_POSTGRES_PORT", 5432)),
            external_database_url=env.get("DATABASE_URL") or None,
            service_ports={
                name: int(env.get(f"PANA_{name.upper()}_PORT", port))
                for name, port in SERVICE_PORTS.items()
            },
            keycloak_port=int(env.get("PANA_KEYCLOAK_PORT", 8180)),
            sign_in=env.get("PANA_KEYCLOAK", "1").lower() not in ("0", "false", "no"),
            web_port=int(env.get("PANA_WEB_PORT", 8000)),
            imports_port=int(env.get("PANA_IMPORTS_PORT", IMPORTS_PORT)),
        )

    @property
    def kafka(self) -> KafkaBroker:
        return KafkaBroker(self.state_dir / "kafka", self.kafka_port, self.kafka_controller_port)

    @property
    def postgres(self) -> PostgresServer:
        return PostgresServer(self.state_dir / "postgres", self.postgres_port)

    @property
    def keycloak(self) -> KeycloakServer:
        """The OpenID provider people sign in with (deploy/keycloak)."""
        return KeycloakServer(self.state_dir / "keycloak", self.keycloak_port)

    def openid_env(self) -> dict[str, str]:
        """What a service needs to accept the provider's access tokens (access/oidc.py)."""
        if not self.sign_in:
            return {}
        keycloak = self.keycloak
        return {"PANA_OIDC_ISSUER": keycloak.issuer, "PANA_OIDC_JWKS_URL": keycloak.jwks_url}

    @property
    def server_url(self) -> str:
        return self.external_database_url or self.postgres.dsn()

    def service(self, name: str) -> ManagedProcess:
        logs = self.state_dir / "services"
        return ManagedProcess(name, logs / f"{name}.pid", logs / f"{name}.log")

    def url(self, name: str) -> str:
        port = self.imports_port if name == IMPORTS else self.service_ports[name]
        return f"http://127.0.0.1:{port}"

    def running(self) -> list[str]:
        """Names of the stack's processes that are alive now."""
        names = [n for n in [*self.service_ports, IMPORTS] if self.service(n).running()]
        if self.kafka.process.running():
            names.append("kafka")
        if self.postgres.process.running():
            names.append("postgres")
        if self.keycloak.process.running():
            names.append("keycloak")
        if self.service("web").running():
            names.append("web")
        return names

    def parts(self) -> list[str]:
        """The names of every process this stack runs."""
        own_postgres = [] if self.external_database_url else ["postgres"]
        keycloak = ["keycloak", "web"] if self.sign_in else []
        return [*self.service_ports, IMPORTS, "kafka", *own_postgres, *keycloak]

    def up(self, timeout: float = 120.0) -> None:
        """Start whatever is not running; fail with a clear message when something can't."""
        self.start_infrastructure()
        for name in self.service_ports:
            self.start_service(name)
        self.start_imports()
        self.wait_ready([*self.service_ports, IMPORTS], timeout)
        if self.sign_in:
            self.start_web()
            self.keycloak.wait()
            self.wait_web(timeout)

    @property
    def auth_dir(self) -> Path:
        return self.state_dir / "auth"

    def secrets(self) -> dict[str, str]:
        """The local token issuer's JWKS and the personal-data keys, made once per state folder."""
        return ensure_local_secrets(self.auth_dir)

    def start_infrastructure(self) -> None:
        self.secrets()
        if self.external_database_url is None:
            self.postgres.start()
        self.kafka.start()
        if self.sign_in and not self.keycloak.process.running():
            require_free_port(self.keycloak_port, "Keycloak", "PANA_KEYCLOAK_PORT")
            self.keycloak.launch()  # answers about 25 s later: awaited after the services start
        databases = [f"pana_{n}" for n in [*self.service_ports, IMPORTS]]
        if self.sign_in:
            databases.append(WEB_DATABASE)
        asyncio.run(create_databases(self.server_url, databases))
        asyncio.run(self._service_roles())

    def service_role(self, name: str) -> str:
        """The database role the `name` service connects as: it owns no table."""
        return f"pana_{name}"

    def _role_passwords(self) -> dict[str, str]:
        roles = [self.service_role(n) for n in self.service_ports] + [WEB_DATABASE]
        return role_passwords(self.state_dir / "database-roles.json", roles)

    async def _service_roles(self) -> None:
        passwords = self._role_passwords()
        for name in self.service_ports:
            role = self.service_role(name)
            await ensure_service_role(self.server_url, role, passwords[role], f"pana_{name}")
        if self.sign_in:  # the web app's sessions: its role owns its database (no audit there)
            await ensure_service_role(
                self.server_url, WEB_DATABASE, passwords[WEB_DATABASE], WEB_DATABASE
            )
            conn = await asyncpg.connect(database_url_for(self.server_url, "postgres"))
            try:
                await conn.execute(f'ALTER DATABASE "{WEB_DATABASE}" OWNER TO "{WEB_DATABASE}"')
            finally:
                await conn.close()

    def database_urls(self, name: str) -> dict[str, str]:
        """The service's own URL (its role owns nothing) and the schema owner's, for migrations
        at start only (the server URL's user: `postgres` on the local cluster)."""
        role = self.service_role(name)
        database = f"pana_{name}"
        return {
            "PANA_DATABASE_URL": url_as(
                self.server_url, role, self._role_passwords()[role], database
            ),
            "PANA_DATABASE_OWNER_URL": database_url_for(self.server_url, database),
        }

    def start_service(self, name: str) -> None:
        process = self.service(name)
        if process.running():
            return
        port = self.service_ports[name]
        require_free_port(port, f"the {name} service", f"PANA_{name.upper()}_PORT")
        env = {
            **os.environ,
            "PANA_PORT": str(port),
            "PANA_ENVIRONMENT": self.environment,
            **self.database_urls(name),
            **self.kafka.access(name).env(),  # its own principal: writes only its own topics
            **self.secrets(),
            **self.openid_env(),
        }
        process.start([sys.executable, "-m", f"services.{name}"], env=env, cwd=ROOT)

    def start_imports(self) -> None:
        """The imports API: rows go to the services' APIs as the uploading supervisor, with
        tokens of the local issuer (its key in `auth_dir`)."""
        process = self.service(IMPORTS)
        if process.running():
            return
        require_free_port(self.imports_port, "the imports API", "PANA_IMPORTS_PORT")
        env = {
            **os.environ,
            "PANA_IMPORTS_PORT": str(self.imports_port),
            "PANA_IMPORTS_DATABASE_URL": database_url_for(self.server_url, f"pana_{IMPORTS}"),
            **{f"PANA_IMPORTS_{name.upper()}_URL": self.url(name) for name in SERVICE_PORTS
               if name != "indicators"},
            "PANA_IMPORTS_SIGNING_KEY_PATH": str(self.auth_dir / "signing-key.pem"),
            "PANA_ENVIRONMENT": self.environment,
            **self.secrets(),
            **self.openid_env(),
        }  # fmt: skip
        process.start([sys.executable, "-m", "deploy.imports"], env=env, cwd=ROOT)

    def web_sessions_env(self) -> dict[str, str]:
        """Where the web app keeps its sessions: its database as its own role, and the key."""
        password = self._role_passwords()[WEB_DATABASE]
        return {
            "PANA_WEB_DATABASE_URL": url_as(self.server_url, WEB_DATABASE, password, WEB_DATABASE),
            "PANA_WEB_SESSION_KEY_FILE": str(ensure_web_session_key(self.auth_dir)),
        }

    def start_web(self) -> None:
        """The web app (`web/`): pages calling the services with the signed-in person's token."""
        process = self.service("web")
        if process.running():
            return
        require_free_port(self.web_port, "the web app", "PANA_WEB_PORT")
        env = {
            **os.environ,
            "PANA_WEB_PORT": str(self.web_port),
            "PANA_ENVIRONMENT": self.environment,
            "PANA_OIDC_ISSUER": self.keycloak.issuer,
            **{f"PANA_WEB_{name.upper()}_URL": self.url(name) for name in self.service_ports},
            **self.web_sessions_env(),
        }
        process.start([sys.executable, "-m", "web"], env=env, cwd=ROOT)

    def wait_web(self, timeout: float) -> None:
        def answers() -> bool:
            try:
                return httpx.get(f"{self.web_url}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        if not wait_until(answers, timeout, interval=0.2):
            raise InfrastructureError(
                f"the web app did not start:\n{self.service('web').log_tail()}"
            )

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def wait_ready(self, names: list[str], timeout: float) -> None:
        processes = {name: (self.service(name), self.url(name)) for name in names}
        pending = wait_ready(processes, timeout)
        if pending:
            raise InfrastructureError(
                f"not ready after {timeout:.0f}s: {', '.join(pending)}; see the logs in "
                f"{self.state_dir / 'services'}"
            )

    def down(self) -> None:
        """Stop the services, then Kafka, then PostgreSQL."""
        for name in [*self.service_ports, IMPORTS, "web"]:
            self.service(name).stop(timeout=15)
        self.kafka.stop()
        self.postgres.stop()
        self.keycloak.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.stack", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    stack = LocalStack.from_env()
    if args.command == "status":
        running = stack.running()
        print("running: " + (", ".join(running) if running else "nothing"))
        return 0
    if args.command == "down":
        stack.down()
        print("stopped; nothing of the stack runs now")
        return 0
    running = stack.running()
    missing = [name for name in stack.parts() if name not in running]
    if not missing:
        print(f"the stack already runs ({', '.join(running)}); `make down` stops it")
        return 0
    if running:  # e.g. the indicators service stopped for a rebuild: start only what is missing
        print(f"the stack runs in part ({', '.join(running)}); starting {', '.join(missing)}")
    try:
        stack.up()
    except InfrastructureError as exc:
        print(f"make up failed: {exc}", file=sys.stderr)
        if not running:
            stack.down()
        return 1
    if sample_directory.wanted(stack.environment):
        loaded = sample_directory.load_if_empty(
            stack.auth_dir / "signing-key.pem", stack.url("vouchers"), stack.url("referrals")
        )
        if loaded:
            print("Sample directory (fictional clinics and units; PANA_SAMPLE_DIRECTORY=0: none):")
            for line in loaded:
                print(f"  {line}")
        if stack.sign_in:
            sign_in_accounts.link(stack)
    print("The stack is up:")
    print(
        f"  Kafka       {stack.kafka.bootstrap_servers} (SASL_PLAINTEXT, SCRAM-SHA-512; "
        f"users and passwords in {stack.kafka.credentials_file})"
    )
    print(f"  PostgreSQL  {stack.server_url}")
    for name in [*stack.service_ports, IMPORTS]:
        print(f"  {name:<11} {stack.url(name)}/docs   (ready: {stack.url(name)}/readyz)")
    key = stack.auth_dir / "signing-key.pem"
    print(
        f"Tokens (local issuer): .venv/bin/python -m access.tokens issue --key {key} "
        f"--sub me --org ngo --role caseworker --region {current_program().ordered('territory')[0]}"
    )
    if stack.sign_in:
        sign_in_accounts.describe(stack)
    print(f"Logs: {stack.state_dir}   Stop: make down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
