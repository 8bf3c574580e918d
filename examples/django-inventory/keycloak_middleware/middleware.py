"""KeycloakMiddleware: authentication for every path but the exempt ones, then, per view and
method, the scope the view declares in `keycloak_scopes`, decided locally like Keycloak would.

    class InventoryList(APIView):
        keycloak_scopes = {"GET": "inventory:view", "POST": "inventory:add"}

Settings (settings.KEYCLOAK): ISSUER, REALM, CLIENT_ID, JWKS_URL, AUTHZ_CONFIG, EXEMPT_PATHS,
MAX_TOKEN_LENGTH, LEEWAY_SECONDS; settings.FAULTS for deliberate bugs.
"""

from django.conf import settings

from .errors import HttpError
from .policies import AuthorizationSettings
from .tokens import TokenVerifier
from .transport import extract_token


class KeycloakMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        config = settings.KEYCLOAK
        self.realm = config["REALM"]
        self.exempt_paths = frozenset(config["EXEMPT_PATHS"])
        self.max_token_length = config["MAX_TOKEN_LENGTH"]
        self.faults = settings.FAULTS
        self.verifier = TokenVerifier(
            issuer=config["ISSUER"], client_id=config["CLIENT_ID"], realm=self.realm, jwks_url=config["JWKS_URL"], leeway=config["LEEWAY_SECONDS"],
        )
        self.authz = AuthorizationSettings.load(config["AUTHZ_CONFIG"], crash_without_roles="crash-without-roles" in self.faults)
        for name in self.authz.unsupported:
            print(f"django-inventory: policy {name!r} is of a type not evaluated here: it never grants", flush=True)

    def __call__(self, request):
        if request.path_info not in self.exempt_paths:
            try:
                request.keycloak_claims = self.verifier.verify(extract_token(request.META, self.realm, self.max_token_length))
            except HttpError as refusal:
                return refusal.response()
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Runs once the URL resolved to a view: None lets the view run, a response refuses."""
        if request.path_info in self.exempt_paths:
            return None
        if request.method == "DELETE" and "skip-delete-scope" in self.faults:
            return None
        view_class = getattr(view_func, "view_class", None)
        declared = getattr(view_class or view_func, "keycloak_scopes", None) or {}
        scope = declared.get("GET" if request.method == "HEAD" else request.method)
        if scope is None:
            return self._forbidden(None)  # deny by default: the view declares no scope for this method
        resource = self.authz.resource_for(request.path_info)
        if resource is None:
            # No resource protects the path: ENFORCING denies, PERMISSIVE and DISABLED let it through.
            return self._forbidden(scope) if self.authz.mode == "ENFORCING" else None
        if not self.authz.decide(resource, scope, request.keycloak_claims):
            return self._forbidden(scope)
        return None

    def _forbidden(self, scope: str | None):
        return HttpError(
            403,
            {"error": "forbidden", "scope": scope},
            {"WWW-Authenticate": f'Bearer realm="{self.realm}", error="insufficient_scope", scope="{scope or ""}"'},
        ).response()
