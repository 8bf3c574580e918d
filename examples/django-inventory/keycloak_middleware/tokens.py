"""Verification of Keycloak access tokens with PyJWT (2.6 as packaged by Debian 12)."""

import base64
import binascii
import json
import threading
import time
import urllib.request

import jwt
from jwt import PyJWKClient
from jwt.api_jwk import PyJWK, PyJWKSet

from .errors import HttpError, unauthorized


class KeySetUnavailable(Exception):
    """The realm's JWKS could not be fetched or read: Keycloak's problem, not the client's."""


class RealmKeys(PyJWKClient):
    """PyJWKClient for the realm's JWKS, with what PyJWT 2.6 lacks for a server:

    - a timeout on the fetch (PyJWT calls urlopen without one, so a hung Keycloak hangs requests);
    - one fetch at a time, and the parsed key set cached (PyJWT re-parses every key per request);
    - an unknown `kid` refetches at most once per `refetch_cooldown` seconds (PyJWT refetches for
      every such token: anyone could make the server hammer Keycloak with made-up kids);
    - a failed fetch raises KeySetUnavailable instead of PyJWKClientError, so it becomes a 503.
    """

    def __init__(self, uri: str, *, lifespan: int = 300, refetch_cooldown: float = 30, timeout: float = 5) -> None:
        super().__init__(uri, cache_keys=False, cache_jwk_set=True, lifespan=lifespan)
        self.timeout = timeout
        self.refetch_cooldown = refetch_cooldown
        self._lock = threading.Lock()
        self._fetched_at: float | None = None

    def fetch_data(self) -> dict:
        try:
            with urllib.request.urlopen(self.uri, timeout=self.timeout) as response:
                data = json.load(response)
        except (OSError, ValueError) as error:  # URLError, HTTPError and timeouts are OSErrors
            raise KeySetUnavailable(f"{self.uri}: {error}") from error
        if not isinstance(data, dict):
            raise KeySetUnavailable(f"{self.uri}: not a JWK set")
        return data

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        cached = None if refresh else self.jwk_set_cache.get()
        if cached is not None:
            return cached
        try:
            key_set = PyJWKSet.from_dict(self.fetch_data())
        except jwt.PyJWTError as error:
            raise KeySetUnavailable(f"{self.uri}: {error}") from error
        self._fetched_at = time.monotonic()
        self.jwk_set_cache.put(key_set)  # the cache stores any object; PyJWT itself puts the raw dict
        return key_set

    def get_signing_key(self, kid: str) -> PyJWK | None:
        with self._lock:
            key = self.match_kid(self.get_signing_keys(), kid)
            if key is None and (self._fetched_at is None or time.monotonic() - self._fetched_at >= self.refetch_cooldown):
                key = self.match_kid(self.get_signing_keys(refresh=True), kid)  # the realm may have rotated its keys
            return key


def _b64url_json(segment: str):
    try:
        return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError):
        return None


class TokenVerifier:
    def __init__(self, *, issuer: str, client_id: str, realm: str, jwks_url: str, leeway: int) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.realm = realm
        self.leeway = leeway
        self.keys = RealmKeys(jwks_url)

    def verify(self, token: str) -> dict:
        """The claims of a valid access token for this API; HttpError 401 (or 503) otherwise.

        `token` is already a compact JWS of bounded length (transport.extract_token).
        """
        header = _b64url_json(token.split(".", 1)[0])
        if not isinstance(header, dict):
            raise unauthorized(self.realm, "invalid_token", "malformed token")
        # Decided on the header before any key is looked up: RS256 only (no "none", no HMAC key
        # confusion), a string kid, and no "crit" (PyJWT 2.6 ignores crit, and this verifier
        # understands no extension: RFC 7515 §4.1.11 says reject). jwk/jku/x5u are never read.
        if header.get("alg") != "RS256":
            raise unauthorized(self.realm, "invalid_token", "algorithm not allowed")
        if "crit" in header:
            raise unauthorized(self.realm, "invalid_token", "unsupported critical header")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise unauthorized(self.realm, "invalid_token", "token rejected")
        try:
            key = self.keys.get_signing_key(kid)
        except KeySetUnavailable as error:
            print(f"django-inventory: cannot fetch the realm key set: {error}", flush=True)
            raise HttpError(503, {"error": "temporarily_unavailable"}) from error
        if key is None or key.key_type != "RSA":
            raise unauthorized(self.realm, "invalid_token", "token rejected")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                issuer=self.issuer,
                leeway=self.leeway,  # exp, and nbf/iat not in the future
                options={"require": ["exp", "iat", "iss"], "verify_aud": False},
            )
        except (jwt.PyJWTError, TypeError, ValueError, OverflowError):
            # PyJWT raises TypeError for a claim of the wrong JSON type (e.g. "iat": [1]).
            raise unauthorized(self.realm, "invalid_token", "token rejected") from None
        # Keycloak signs ID tokens (typ "ID") with the same key; refresh tokens are "Refresh".
        if claims.get("typ") != "Bearer":
            raise unauthorized(self.realm, "invalid_token", "not an access token")
        audiences = claims.get("aud")
        audiences = audiences if isinstance(audiences, list) else [audiences]
        if self.client_id not in audiences and claims.get("azp") != self.client_id:
            raise unauthorized(self.realm, "invalid_token", "token not issued for this API")
        return claims
