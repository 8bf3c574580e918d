"""Django REST framework sees the middleware's result as request.user / request.auth."""

from rest_framework.authentication import BaseAuthentication


class KeycloakUser:
    """The token's subject; no database row behind it."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, claims: dict) -> None:
        self.id = claims.get("sub")
        self.username = claims.get("preferred_username") or self.id

    def __str__(self) -> str:
        return str(self.username)


class KeycloakClaimsAuthentication(BaseAuthentication):
    def authenticate(self, request):
        claims = getattr(request._request, "keycloak_claims", None)
        return (KeycloakUser(claims), claims) if claims is not None else None

    def authenticate_header(self, request):
        return "Bearer"
