"""`python -m deploy.local.kafka_secrets <folder>`: Kafka's secrets for `docker compose`, made once.

Writes into `folder` (the compose secrets volume, `/run/pana/kafka`):
- `credentials.json`: every Kafka user's password (generated on first run);
- `broker.properties`: the broker's authentication and ACL settings (`security_properties`),
  and `scram-arguments`: the `kafka-storage format` arguments creating the SCRAM users, both
  read by `deploy/compose/kafka-start.sh` (owned by the broker image's user);
- `admin-client.properties`: a Java client logging in as `admin` (the broker's healthcheck);
- `<user>.password`: each service's and the admin's password, for `PANA_KAFKA_PASSWORD_FILE`
  (owned by the services' user).

Every file is 0600 and owned by the one user that reads it (`--broker-uid`, `--service-uid`):
no service can read another's password, and no service reads the broker's.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from deploy.kafka_principals import ADMIN, SERVICES
from deploy.local.kafka import MECHANISM, ensure_credentials, scram_arguments, security_properties

BROKER_IMAGE_UID = 1000  # `appuser` of the apache/kafka image
SERVICE_IMAGE_UID = 10001  # `pana` of this project's Dockerfile


def _write(path: Path, text: str, uid: int | None) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    if uid is not None:
        os.chown(path, uid, uid)


def write_compose_secrets(
    folder: Path, broker_uid: int | None = None, service_uid: int | None = None
) -> dict[str, str]:
    """Write the files (passwords kept across runs); return every user's password."""
    folder.mkdir(parents=True, exist_ok=True)
    passwords = ensure_credentials(folder / "credentials.json")
    props = security_properties(passwords)
    _write(
        folder / "broker.properties", "".join(f"{k}={v}\n" for k, v in props.items()), broker_uid
    )
    _write(folder / "scram-arguments", "\n".join(scram_arguments(passwords)) + "\n", broker_uid)
    module = "org.apache.kafka.common.security.scram.ScramLoginModule"
    _write(
        folder / "admin-client.properties",
        f"security.protocol=SASL_PLAINTEXT\nsasl.mechanism={MECHANISM}\n"
        f'sasl.jaas.config={module} required username="{ADMIN}" '
        f'password="{passwords[ADMIN]}";\n',
        broker_uid,
    )
    for user in (*(p.name for p in SERVICES), ADMIN):
        _write(folder / f"{user}.password", passwords[user], service_uid)
    return passwords


def main(argv: list[str] | None = None) -> int:
    """Command line of `write_compose_secrets`."""
    parser = argparse.ArgumentParser(
        prog="python -m deploy.local.kafka_secrets", description=__doc__
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--broker-uid", type=int, default=None)
    parser.add_argument("--service-uid", type=int, default=None)
    args = parser.parse_args(argv)
    write_compose_secrets(args.folder, args.broker_uid, args.service_uid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
