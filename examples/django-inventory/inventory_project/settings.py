"""Settings for the django-inventory example: everything site-specific comes from the environment.

kcbox (or you) sets KEYCLOAK_URL, KEYCLOAK_REALM, KEYCLOAK_ISSUER, KEYCLOAK_CLIENT_ID and PORT;
a missing one stops the server at start with one line naming it. KEYCLOAK_CLIENT_SECRET and
KEYCLOAK_PUBLIC_KEY are read when present but not needed: keys come from the realm's JWKS.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _require_env(*names: str) -> dict[str, str]:
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(f"missing environment variable(s): {', '.join(missing)} (kcbox injects them; see README.md)")
    return {name: os.environ[name] for name in names}


_env = _require_env("KEYCLOAK_URL", "KEYCLOAK_REALM", "KEYCLOAK_ISSUER", "KEYCLOAK_CLIENT_ID", "PORT")

_expected_issuer = f"{_env['KEYCLOAK_URL'].rstrip('/')}/realms/{_env['KEYCLOAK_REALM']}"
if _env["KEYCLOAK_ISSUER"] != _expected_issuer:
    raise ImproperlyConfigured(f"KEYCLOAK_ISSUER ({_env['KEYCLOAK_ISSUER']}) is not KEYCLOAK_URL/realms/KEYCLOAK_REALM ({_expected_issuer})")

if not _env["PORT"].isdigit() or not 0 < int(_env["PORT"]) < 65536:
    raise ImproperlyConfigured(f"PORT must be a TCP port, got {_env['PORT']!r}")
PORT = int(_env["PORT"])

# Deliberate bugs for contract tests (comma-separated); an unknown name stops the server.
KNOWN_FAULTS = {
    "skip-delete-scope": "DELETE /api/inventory/<id> skips its scope check (any valid token may delete)",
    "crash-without-roles": "the guide's bug: a token without resource_access[client] ends in a 500",
}
FAULTS = frozenset(name.strip() for name in os.environ.get("FAULT", "").split(",") if name.strip())
for _fault in FAULTS:
    if _fault not in KNOWN_FAULTS:
        raise ImproperlyConfigured(f"unknown FAULT {_fault!r}; known: {', '.join(KNOWN_FAULTS)}")

KEYCLOAK = {
    "ISSUER": _env["KEYCLOAK_ISSUER"],
    "REALM": _env["KEYCLOAK_REALM"],
    "CLIENT_ID": _env["KEYCLOAK_CLIENT_ID"],
    "CLIENT_SECRET": os.environ.get("KEYCLOAK_CLIENT_SECRET"),  # unused: no call to Keycloak but the JWKS
    "PUBLIC_KEY": os.environ.get("KEYCLOAK_PUBLIC_KEY"),  # unused: the JWKS follows key rotation
    "JWKS_URL": f"{_env['KEYCLOAK_ISSUER']}/protocol/openid-connect/certs",
    # The exported authorization settings; kcbox passes no KCBOX_* variable through, so a matrix
    # that wants another file sets it under backend.env.
    "AUTHZ_CONFIG": os.environ.get("KCBOX_AUTHZ_CONFIG") or str(BASE_DIR.parent.parent / "realm" / "inventory-authz-config.json"),
    "EXEMPT_PATHS": ["/health"],
    "MAX_TOKEN_LENGTH": 8192,
    "LEEWAY_SECONDS": 5,
}

# No sessions, no signed cookies, no password hashing: a per-process key is enough.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(48)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# No django.contrib.auth, sessions or CSRF: an API authenticated by bearer tokens only.
INSTALLED_APPS = ["rest_framework", "inventory"]
# CommonMiddleware sets Content-Length (so serve.py can keep connections alive); APPEND_SLASH is off.
MIDDLEWARE = ["django.middleware.common.CommonMiddleware", "keycloak_middleware.middleware.KeycloakMiddleware"]
ROOT_URLCONF = "inventory_project.urls"
WSGI_APPLICATION = "inventory_project.wsgi.application"
DATABASES = {}
APPEND_SLASH = False
USE_TZ = True
TIME_ZONE = "UTC"  # Django sets the process TZ from it (default America/Chicago)
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["keycloak_middleware.drf.KeycloakClaimsAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],  # the middleware decided already
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "inventory.views.api_exception_handler",
    "UNAUTHENTICATED_USER": None,  # DRF's default AnonymousUser needs django.contrib.auth
    "UNAUTHENTICATED_TOKEN": None,
}

# serve.py prints one line per request; Django itself only reports 500s (with the traceback).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}
