"""Where a bearer token may come from: exactly one Authorization header, nowhere else."""

import re
from urllib.parse import parse_qs

from .errors import bad_request, unauthorized

CREDENTIALS = re.compile(r"([A-Za-z]+) +(\S+)")
# A compact JWS is three base64url parts without padding (RFC 7515 §3.1); anything else (JWE,
# JSON serialization, padding, the "+/" alphabet) is not one of Keycloak's access tokens.
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def extract_token(meta: dict, realm: str, max_length: int) -> str:
    """The token of a WSGI request (`request.META`), or an HttpError (400 or 401).

    WSGI has one HTTP_AUTHORIZATION per request: wsgiref (Django's runserver, serve.py) and
    gunicorn join repeated header lines with ",". A compact JWS never contains a comma, so a comma
    means two Authorization lines (or garbage): 400 either way, never a guess at which one counts.
    """
    header = meta.get("HTTP_AUTHORIZATION")
    in_query = "access_token" in parse_qs(meta.get("QUERY_STRING", ""), keep_blank_values=True)
    if header is not None and "," in header:
        raise bad_request(realm, "more than one Authorization header (or a comma in it)")
    if header is not None and in_query:
        raise bad_request(realm, "token sent in more than one way")
    if header is None:
        raise unauthorized(realm)  # a query token alone is ignored: RFC 6750 §2.3 is not supported
    match = CREDENTIALS.fullmatch(header.strip())
    if not match or match.group(1).lower() != "bearer":  # the scheme is case-insensitive (RFC 9110 §11.1)
        raise unauthorized(realm, "invalid_request", "expected a Bearer token")
    token = match.group(2)
    if len(token) > max_length:
        raise unauthorized(realm, "invalid_token", "token too large")
    if not COMPACT_JWS.fullmatch(token):
        raise unauthorized(realm, "invalid_token", "malformed token")
    return token
