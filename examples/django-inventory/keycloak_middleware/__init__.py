"""Keycloak bearer-token middleware for Django: local JWT validation against the realm's JWKS and
local authorization decisions from the realm's exported authorization settings."""
