"""A real Keycloak (OpenID Connect provider) without Docker, with the program's realm.

Its server distribution (`org.keycloak:keycloak-quarkus-dist`, a zip on Maven Central) is
fetched once with Maven into `~/.cache/pana/keycloak-<version>` like the Kafka jars; later runs
need no network. It runs in development mode (`start-dev`: the H2 `dev-file` database, plain
HTTP on the loopback interface) with a Java 21+ runtime, and imports `pana-realm.json` on its
first start, with the fictional accounts of `local-accounts.json` added (`local_realm`). Each
state folder gets its own Keycloak home: a copy of `bin/` (the start script finds the home from
its own path), links to the shared `lib/`, `conf/`, `providers/`, `themes/`, and a `data/` of
its own (database and import folder).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from deploy.local.kafka import cache_dir
from deploy.local.processes import InfrastructureError, ManagedProcess, pid_alive, wait_until

KEYCLOAK_VERSION = "26.7.3"
REALM_FILE = Path(__file__).with_name("pana-realm.json")
"""The realm every deployment imports: roles, the `pana-web` client, the claims' mappers."""
LOCAL_ACCOUNTS_FILE = Path(__file__).with_name("local-accounts.json")
"""The fictional accounts (one per role, one shared password): the local and test realms only."""
REALM = "pana"
JAVA_CANDIDATES = ("/usr/lib/jvm/temurin-25-jdk-amd64", "/usr/lib/jvm/temurin-21-jdk-amd64")


def ensure_distribution(version: str = KEYCLOAK_VERSION) -> Path:
    """The unpacked server distribution, fetched from Maven Central and unpacked only once."""
    home = cache_dir() / f"keycloak-{version}"
    marker = home / ".complete"
    if marker.exists():
        return home
    if shutil.which("mvn") is None:
        raise InfrastructureError("Keycloak is fetched with Maven: apt-get install -y maven")
    download = cache_dir() / "downloads"
    artifact = f"org.keycloak:keycloak-quarkus-dist:{version}:zip"
    cmd = [
        "mvn", "-q", "-B", "dependency:copy", f"-Dartifact={artifact}",
        f"-DoutputDirectory={download}",
    ]  # fmt: skip
    if subprocess.run([*cmd[:3], "-o", *cmd[3:]], capture_output=True, check=False).returncode:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise InfrastructureError(f"could not fetch {artifact}:\n{done.stdout[-2000:]}")
    archive = download / f"keycloak-quarkus-dist-{version}.zip"
    unpacked = cache_dir() / f".keycloak-{version}-unpacking"
    shutil.rmtree(unpacked, ignore_errors=True)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(unpacked)
    shutil.rmtree(home, ignore_errors=True)
    (unpacked / f"keycloak-{version}").rename(home)
    shutil.rmtree(unpacked, ignore_errors=True)
    for script in (home / "bin").glob("*.sh"):
        script.chmod(0o755)
    marker.write_text(version)
    return home


def java_home() -> Path:
    """A Java 21+ runtime (`PANA_KEYCLOAK_JAVA_HOME`, else the machine's Temurin JDK)."""
    configured = os.environ.get("PANA_KEYCLOAK_JAVA_HOME")
    for candidate in ([configured] if configured else []) + list(JAVA_CANDIDATES):
        if (Path(candidate) / "bin" / "java").exists():
            return Path(candidate)
    raise InfrastructureError(
        "Keycloak needs Java 21+: install a Temurin JDK 21 or 25 (or set PANA_KEYCLOAK_JAVA_HOME)"
    )


def local_realm() -> dict[str, Any]:
    """`pana-realm.json` with the fictional accounts of `local-accounts.json` added: what
    `make up` and the tests import (compose and Kubernetes import the realm file alone)."""
    realm: dict[str, Any] = json.loads(REALM_FILE.read_text())
    accounts = json.loads(LOCAL_ACCOUNTS_FILE.read_text())
    return {**realm, "users": accounts["users"]}


@dataclass
class KeycloakServer:
    """One Keycloak process serving the `pana` realm on 127.0.0.1:`port`."""

    state_dir: Path
    port: int = 8180

    @property
    def process(self) -> ManagedProcess:
        return ManagedProcess("keycloak", self.state_dir / "keycloak.pid", self.log_file)

    @property
    def log_file(self) -> Path:
        return self.state_dir / "keycloak.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        """The realm's issuer, as its tokens name it (`iss`)."""
        return f"{self.url}/realms/{REALM}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    def admin_password(self) -> str:
        """The master realm's bootstrap administrator password, made once (0600)."""
        path = self.state_dir / "admin-password"
        if not path.exists():
            self.state_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(18))
        return path.read_text().strip()

    def _home(self) -> Path:
        dist = ensure_distribution()
        home = self.state_dir / "home"
        (home / "data" / "import").mkdir(parents=True, exist_ok=True)
        if not (home / "bin").exists():
            shutil.copytree(dist / "bin", home / "bin")
        for name in ("lib", "conf", "providers", "themes"):
            link = home / name
            if not link.is_symlink():
                link.symlink_to(dist / name)
        (home / "data" / "import" / REALM_FILE.name).write_text(json.dumps(local_realm()))
        return home

    def start(self, timeout: float = 180.0) -> None:
        """Start unless running; wait until the realm answers its discovery document."""
        self.launch()
        self.wait(timeout)

    def launch(self) -> None:
        """Start the process unless it runs (it takes about 25 s to answer: see `wait`)."""
        if self.process.running():
            return
        home = self._home()
        env = {
            **os.environ,
            "JAVA_HOME": str(java_home()),
            "KC_BOOTSTRAP_ADMIN_USERNAME": "admin",
            "KC_BOOTSTRAP_ADMIN_PASSWORD": self.admin_password(),
        }
        argv = [
            str(home / "bin" / "kc.sh"), "start-dev", "--import-realm",
            "--http-host=127.0.0.1", f"--http-port={self.port}", f"--hostname={self.url}",
            "--health-enabled=false", "--metrics-enabled=false",
        ]  # fmt: skip
        self.process.start(argv, env=env, cwd=home)

    def wait(self, timeout: float = 180.0) -> None:
        """Wait until the realm answers; fail with the log's tail when it does not."""
        if not wait_until(self.ready, timeout, interval=0.5):
            raise InfrastructureError(
                f"Keycloak not ready after {timeout:.0f}s:\n{self.process.log_tail()}"
            )

    def ready(self) -> bool:
        """Whether the realm's discovery document answers."""
        if not self.process.running():
            raise InfrastructureError(f"Keycloak exited:\n{self.process.log_tail()}")
        try:
            url = f"{self.issuer}/.well-known/openid-configuration"
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        """Stop the start script and its Java child (one process group, started together)."""
        pid = self.process.pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            if not wait_until(lambda: not pid_alive(pid), 30):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        self.process.stop(timeout=10)
