"""Keycloak's authorization decision, evaluated locally from the exported authorization settings
(ResourceServerRepresentation: names, every policy config value a JSON-encoded string) and the
roles in the token — the same evaluation as examples/express-inventory/server.mjs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

SUPPORTED_POLICY_TYPES = {"role", "client", "user", "aggregate", "scope", "resource"}


def _config_value(value):
    """A config value that is a JSON string (export format) or already a value (hand-written files)."""
    if not isinstance(value, str):
        return value
    trimmed = value.strip()
    return json.loads(trimmed) if trimmed.startswith(("[", "{")) else value


def _as_list(value) -> list[str]:
    return [str(entry) for entry in value] if isinstance(value, list) else []


@dataclass(frozen=True)
class UriPattern:
    uri: str
    literal: bool
    regex: re.Pattern


def _uri_pattern(uri: str) -> UriPattern:
    """`/api/inventory/*` and `/api/inventory/{id}`; `*` at the end matches any suffix."""
    wildcard_tail = uri.endswith("/*")
    body = uri[:-2] if wildcard_tail else uri
    source = ""
    for part in re.split(r"(\{[^}]*\}|\*)", body):
        if part == "*":
            source += "[^/]*"
        elif part.startswith("{") and part.endswith("}"):
            source += "[^/]+"
        else:
            source += re.escape(part)
    return UriPattern(uri, not re.search(r"[*{]", uri), re.compile(f"{source}{'(?:/.*)?' if wildcard_tail else ''}", re.DOTALL))


@dataclass(frozen=True)
class Resource:
    name: str
    type: str | None
    scopes: tuple[str, ...]
    patterns: tuple[UriPattern, ...]


@dataclass(frozen=True)
class Policy:
    name: str
    type: str
    logic: str
    decision_strategy: str
    config: dict = field(default_factory=dict)


def _combine(results: list[bool], strategy: str) -> bool:
    grants = sum(1 for result in results if result)
    denies = len(results) - grants
    if strategy == "AFFIRMATIVE":
        return grants > 0
    if strategy == "CONSENSUS":
        return grants > denies  # a tie denies
    return len(results) > 0 and denies == 0  # UNANIMOUS


def _client_roles(claims: dict, client: str, crash_without_roles: bool) -> list:
    if crash_without_roles:
        # The guide's middleware, verbatim in spirit: KeyError (a 500) for a user without client roles.
        return claims["resource_access"][client]["roles"]
    access = claims.get("resource_access")
    client_access = access.get(client) if isinstance(access, dict) else None
    roles = client_access.get("roles") if isinstance(client_access, dict) else None
    return roles if isinstance(roles, list) else []


class AuthorizationSettings:
    def __init__(self, raw: dict, *, crash_without_roles: bool = False) -> None:
        self.mode = raw.get("policyEnforcementMode", "ENFORCING")
        self.decision_strategy = raw.get("decisionStrategy", "UNANIMOUS")
        self.crash_without_roles = crash_without_roles
        self.resources = [
            Resource(
                name=resource["name"],
                type=resource.get("type"),
                scopes=tuple(scope if isinstance(scope, str) else scope["name"] for scope in resource.get("scopes", [])),
                patterns=tuple(_uri_pattern(uri) for uri in resource.get("uris", [])),
            )
            for resource in raw.get("resources", [])
        ]
        self.policies: dict[str, Policy] = {}
        for policy in raw.get("policies", []):
            config = {}
            for key, value in (policy.get("config") or {}).items():
                try:
                    config[key] = _config_value(value)
                except ValueError as error:
                    raise ImproperlyConfigured(f"policy {policy.get('name')!r}: config {key} is not valid JSON ({error})") from error
            self.policies[policy["name"]] = Policy(policy["name"], policy["type"], policy.get("logic", "POSITIVE"), policy.get("decisionStrategy", "UNANIMOUS"), config)
        self.unsupported = [policy.name for policy in self.policies.values() if policy.type not in SUPPORTED_POLICY_TYPES]

    @classmethod
    def load(cls, file: str, **options) -> AuthorizationSettings:
        try:
            with open(file, encoding="utf-8") as handle:
                raw = json.load(handle)
            return cls(raw, **options)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ImproperlyConfigured(f"cannot read the authorization settings {file}: {error}") from error

    def resource_for(self, path: str) -> Resource | None:
        """The resource whose uris match best: a literal uri before any pattern, then the longest pattern."""
        best, best_rank = None, None
        for resource in self.resources:
            for pattern in resource.patterns:
                if pattern.regex.fullmatch(path):
                    rank = (pattern.literal, len(pattern.uri))
                    if best_rank is None or rank > best_rank:
                        best, best_rank = resource, rank
        return best

    def _has_role(self, claims: dict, role_id: str) -> bool:
        client, slash, role = role_id.partition("/")
        if not slash:
            realm_access = claims.get("realm_access")
            roles = realm_access.get("roles") if isinstance(realm_access, dict) else None
            return isinstance(roles, list) and role_id in roles
        return role in _client_roles(claims, client, self.crash_without_roles)

    def _evaluate_policy(self, name: str, claims: dict, trail: tuple[str, ...]) -> bool:
        policy = self.policies.get(name)
        if policy is None or name in trail:
            return False  # unknown or circular: deny
        if policy.type == "role":
            entries = policy.config.get("roles") if isinstance(policy.config.get("roles"), list) else []
            roles = [
                (str(entry.get("id")), entry.get("required") in (True, "true")) if isinstance(entry, dict) else (str(entry), False)
                for entry in entries
            ]
            # Keycloak: every required role must be present, and at least one listed role.
            granted = all(self._has_role(claims, role) for role, required in roles if required) and any(self._has_role(claims, role) for role, _ in roles)
        elif policy.type == "client":
            granted = claims.get("azp") in _as_list(policy.config.get("clients"))
        elif policy.type == "user":
            granted = claims.get("preferred_username") in _as_list(policy.config.get("users"))
        elif policy.type == "aggregate":
            results = [self._evaluate_policy(applied, claims, (*trail, name)) for applied in _as_list(policy.config.get("applyPolicies"))]
            granted = _combine(results, policy.decision_strategy)
        else:
            return False  # time, regex, group, js…: not evaluated here, so never a grant
        return not granted if policy.logic == "NEGATIVE" else granted

    def _applies(self, permission: Policy, resource: Resource, scope: str | None) -> bool:
        resources = _as_list(permission.config.get("resources"))
        resource_type = permission.config.get("defaultResourceType")
        if resource_type is None:
            resource_type = permission.config.get("resourceType")
        on_resource = resource.name in resources or (not resources and isinstance(resource_type, str) and resource_type != "" and resource_type == resource.type)
        if permission.type == "resource":
            return on_resource
        if permission.type != "scope":
            return False
        return scope in _as_list(permission.config.get("scopes")) and (not resources or on_resource)

    def decide(self, resource: Resource, scope: str, claims: dict) -> bool:
        """Keycloak's decision for resource#scope and the token's roles."""
        if self.mode == "DISABLED":
            return True
        permissions = [policy for policy in self.policies.values() if policy.type in ("scope", "resource")]
        # PERMISSIVE lets a resource through only when no permission at all covers it.
        covered = any(self._applies(p, resource, None) or any(self._applies(p, resource, s) for s in resource.scopes) for p in permissions)
        if self.mode == "PERMISSIVE" and not covered:
            return True
        if scope not in resource.scopes:
            return False
        # A permission's policies combine by its own strategy; one without policies is ignored.
        results = [
            _combine([self._evaluate_policy(name, claims, (permission.name,)) for name in _as_list(permission.config.get("applyPolicies"))], permission.decision_strategy)
            for permission in permissions
            if self._applies(permission, resource, scope) and _as_list(permission.config.get("applyPolicies"))
        ]
        if not results:
            return False  # no permission decides this scope: deny
        # Between permissions on one scope Keycloak's collector knows AFFIRMATIVE; anything else acts as UNANIMOUS.
        return _combine(results, "AFFIRMATIVE" if self.decision_strategy == "AFFIRMATIVE" else "UNANIMOUS")
