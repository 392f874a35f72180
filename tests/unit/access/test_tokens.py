"""Every way a bearer token is refused maps to its own error type and reason."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest

from access.jwks import JwksFile, JwksUrl, KeysUnavailable
from access.signing import SigningKey, generate_key, issue_token, public_jwk
from access.tokens import (
    BadSignature,
    MalformedToken,
    MissingToken,
    TokenError,
    TokenExpired,
    TokenNotYetValid,
    TokenVerifier,
    WrongAudience,
    WrongIssuer,
)
from tests.unit.access.issuer import AUDIENCE, ISSUER, Issue

NOW = datetime.now(UTC)


def test_a_valid_token_yields_its_claims(verifier: TokenVerifier, issue: Issue) -> None:
    claims = verifier.verify(issue())
    assert (claims["sub"], claims["role"], claims["regions"]) == (
        "user-17",
        "caseworker",
        ["lima_callao"],
    )


@pytest.mark.parametrize(
    ("claims", "error", "reason"),
    [
        # Times relative to the moment of issue (a timedelta), not to when the module was read:
        # a long run must not turn "in five minutes" into the past.
        ({"exp": -timedelta(minutes=5)}, TokenExpired, "the token has expired"),
        ({"nbf": timedelta(minutes=5)}, TokenNotYetValid, "the token is not valid yet"),
        ({"iat": timedelta(minutes=5)}, TokenNotYetValid, "the token is not valid yet"),
        (
            {"iss": "https://evil.example"},
            WrongIssuer,
            "the token was not issued by the expected issuer",
        ),
        ({"aud": "another-api"}, WrongAudience, "the token is not meant for this audience"),
        ({"sub": None}, MalformedToken, "the token lacks the 'sub' claim"),
        ({"exp": None}, MalformedToken, "the token lacks the 'exp' claim"),
    ],
    ids=["expired", "nbf-future", "iat-future", "issuer", "audience", "no-sub", "no-exp"],
)
def test_claim_failures(
    verifier: TokenVerifier,
    issue: Issue,
    claims: dict[str, object],
    error: type[TokenError],
    reason: str,
) -> None:
    now = datetime.now(UTC)
    timed = {k: now + v if isinstance(v, timedelta) else v for k, v in claims.items()}
    with pytest.raises(error) as refused:
        verifier.verify(issue(**timed))
    assert refused.value.reason == reason


def test_small_clock_skew_is_tolerated(verifier: TokenVerifier, issue: Issue) -> None:
    now = datetime.now(UTC)  # not the module's NOW: a slow run must not age this token
    skewed = issue(exp=now - timedelta(seconds=10), nbf=now + timedelta(seconds=10))
    assert verifier.verify(skewed)["sub"] == "user-17"


def test_another_key_under_the_trusted_kid_is_a_bad_signature(
    verifier: TokenVerifier, issuer_keys: tuple[SigningKey, Path]
) -> None:
    trusted_kid = public_jwk(issuer_keys[0])["kid"]
    forged = jwt.encode(
        {"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "exp": NOW + timedelta(hours=1)},
        generate_key(),
        algorithm="ES256",
        headers={"kid": trusted_kid},
    )
    with pytest.raises(BadSignature, match="does not match the issuer's key"):
        verifier.verify(forged)


def test_a_key_the_issuer_does_not_publish_is_a_bad_signature(
    verifier: TokenVerifier, issue: Issue
) -> None:
    with pytest.raises(BadSignature, match="does not publish"):
        verifier.verify(issue(key=generate_key()))


def test_a_tampered_payload_is_a_bad_signature(verifier: TokenVerifier, issue: Issue) -> None:
    header, _, signature = issue().split(".")
    _, other_payload, _ = issue(role="supervisor").split(".")
    with pytest.raises(BadSignature):
        verifier.verify(f"{header}.{other_payload}.{signature}")


def test_an_hmac_token_is_refused_whatever_its_secret(
    verifier: TokenVerifier, issuer_keys: tuple[SigningKey, Path]
) -> None:
    kid = public_jwk(issuer_keys[0])["kid"]
    claims = {"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "exp": NOW + timedelta(hours=1)}
    token = jwt.encode(claims, "a-guessable-secret-of-enough-length!", "HS256", {"kid": kid})
    with pytest.raises(BadSignature, match="algorithm is not accepted"):
        verifier.verify(token)


@pytest.mark.parametrize(
    ("token", "error", "reason"),
    [
        ("", MissingToken, "no bearer token"),
        ("not-a-jwt", MalformedToken, "the token is not a well-formed JWT"),
        ("a.b.c", MalformedToken, "the token is not a well-formed JWT"),
    ],
)
def test_missing_or_malformed(
    verifier: TokenVerifier, token: str, error: type[TokenError], reason: str
) -> None:
    with pytest.raises(error) as refused:
        verifier.verify(token)
    assert refused.value.reason == reason


def test_a_token_without_kid_is_malformed(
    verifier: TokenVerifier, issuer_keys: tuple[SigningKey, Path]
) -> None:
    claims = {"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "exp": NOW + timedelta(hours=1)}
    token = jwt.encode(claims, issuer_keys[0], algorithm="ES256")
    with pytest.raises(MalformedToken, match="kid"):
        verifier.verify(token)


def test_rs256_keys_verify_too(tmp_path: Path) -> None:
    key = generate_key("RS256")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public_jwk(key)]}))
    verifier = TokenVerifier(JwksFile(jwks), ISSUER, AUDIENCE)
    token = issue_token(key, {"sub": "u"}, issuer=ISSUER, audience=AUDIENCE)
    assert verifier.verify(token)["sub"] == "u"


class _JwksServer:
    """A JWKS endpoint on localhost that counts how often it is fetched."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self.keys, self.fetches = keys, 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                body = json.dumps({"keys": [public_jwk(k) for k in outer.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def jwks_server(issuer_keys: tuple[SigningKey, Path]) -> Iterator[_JwksServer]:
    server = _JwksServer([issuer_keys[0]])
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_jwks_url_keys_are_fetched_once_and_cached(jwks_server: _JwksServer, issue: Issue) -> None:
    verifier = TokenVerifier(JwksUrl(jwks_server.url), ISSUER, AUDIENCE)
    for _ in range(5):
        verifier.verify(issue())
    assert jwks_server.fetches == 1


def test_a_rotated_key_is_fetched_when_first_seen(jwks_server: _JwksServer, issue: Issue) -> None:
    verifier = TokenVerifier(JwksUrl(jwks_server.url, cooldown_seconds=0), ISSUER, AUDIENCE)
    verifier.verify(issue())
    rotated = generate_key()
    jwks_server.keys.append(rotated)
    assert verifier.verify(issue(key=rotated))["sub"] == "user-17"
    assert jwks_server.fetches == 2


def test_an_unreachable_jwks_url_is_unavailable_not_a_token_error(issue: Issue) -> None:
    verifier = TokenVerifier(JwksUrl("http://127.0.0.1:9/jwks.json"), ISSUER, AUDIENCE)
    with pytest.raises(KeysUnavailable):
        verifier.verify(issue())


def _unsigned(header: dict[str, object]) -> str:
    """A token with `header`, any payload and a made-up signature (no key needed)."""

    def part(value: object) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part(header)}.{part({'sub': 'x'})}.c2lnbmF0dXJl"


@pytest.mark.parametrize("kid", [123, ["k"], {"k": 1}, None, True, 1.5])
def test_a_kid_that_is_not_text_is_malformed(verifier: TokenVerifier, kid: object) -> None:
    with pytest.raises(MalformedToken) as refused:
        verifier.verify(_unsigned({"alg": "ES256", "typ": "JWT", "kid": kid}))
    assert refused.value.reason == "the token names no signing key (kid)"


@pytest.mark.parametrize("header", [[1, 2], "text", 7])
def test_a_header_that_is_not_an_object_is_malformed(
    verifier: TokenVerifier, header: object
) -> None:
    with pytest.raises(MalformedToken):
        verifier.verify(_unsigned(header))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", 1e308),
        ("exp", 10**400),
        ("exp", 253402300800),  # 10000-01-01: no calendar date
        ("nbf", -1e308),
        ("iat", -(10**30)),
        ("iat", -1),
    ],
)
def test_absurd_numeric_dates_are_malformed(
    verifier: TokenVerifier, issue: Issue, claim: str, value: object
) -> None:
    with pytest.raises(MalformedToken) as refused:
        verifier.verify(issue(**{claim: value}))
    assert refused.value.reason == (
        f"the token's {claim!r} claim is not a time between 1970 and 9999 in epoch seconds"
    )


@pytest.mark.parametrize(
    "claims", [{"exp": True}, {"nbf": 1.5e300}, {"iat": 1e308}, {"exp": "1e308"}, {"exp": [1]}]
)
def test_other_odd_dates_are_refused_as_token_errors(
    verifier: TokenVerifier, issue: Issue, claims: dict[str, object]
) -> None:
    with pytest.raises(TokenError):
        verifier.verify(issue(**claims))
