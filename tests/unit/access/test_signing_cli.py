"""The local issuer's commands: keygen writes a key and its JWKS; issue prints a usable token."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from access.jwks import JwksFile
from access.principal import Principal, Role
from access.signing import main
from access.tokens import DEV_AUDIENCE, DEV_ISSUER, TokenVerifier
from tests.support.peru import Region


def test_keygen_then_issue_gives_a_token_the_jwks_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keygen", "--out", str(tmp_path), "--alg", "RS256"]) == 0
    key, jwks = tmp_path / "signing-key.pem", tmp_path / "jwks.json"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert json.loads(jwks.read_text())["keys"][0]["alg"] == "RS256"
    capsys.readouterr()
    argv = ["issue", "--key", str(key), "--sub", "clinic-user", "--org", "clinica-sol"]
    argv += ["--role", "clinic", "--provider-id", "prov-4", "--ttl", "600"]
    assert main(argv) == 0
    token = capsys.readouterr().out.strip()
    claims = TokenVerifier(JwksFile(jwks), DEV_ISSUER, DEV_AUDIENCE).verify(token)
    assert claims["exp"] - claims["iat"] == 600
    principal = Principal.from_claims(claims)
    assert (principal.role, principal.provider_id) == (Role.CLINIC, "prov-4")


def test_issue_takes_several_regions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["keygen", "--out", str(tmp_path)])
    capsys.readouterr()
    argv = ["issue", "--key", str(tmp_path / "signing-key.pem"), "--sub", "s", "--org", "ngo"]
    main([*argv, "--role", "supervisor", "--region", "piura", "--region", "tumbes"])
    token = capsys.readouterr().out.strip()
    verifier = TokenVerifier(JwksFile(tmp_path / "jwks.json"), DEV_ISSUER, DEV_AUDIENCE)
    regions = Principal.from_claims(verifier.verify(token)).regions
    assert regions == {Region.PIURA, Region.TUMBES}


def test_issue_refuses_an_inconsistent_principal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keygen", "--out", str(tmp_path)])
    argv = ["issue", "--key", str(tmp_path / "signing-key.pem"), "--sub", "u", "--org", "o"]
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--role", "receiving_service"])
    assert exited.value.code == 2
    assert "a receiving_service principal needs a unit_id" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["keygen"], ["issue"]])
def test_help_through_python_dash_m(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "access.tokens", *command, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: python -m access.tokens" in done.stdout
