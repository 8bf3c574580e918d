#!/bin/sh
# Apache httpd + mod_auth_openidc as an OAuth 2.0 resource server for the inventory realm.
# kcbox check starts it with KEYCLOAK_ISSUER, KEYCLOAK_CLIENT_ID, KEYCLOAK_CA_FILE and PORT in the
# environment; it writes a config into a temporary folder and runs httpd in the foreground.
# FAULT=skip-delete-role: DELETE /api/inventory/... forgets the admin role (any valid token passes).
# FAULT=any-issuer: tokens are not checked against the realm's issuer, audience and type.
set -eu

: "${PORT:?PORT is unset: kcbox check sets it}"
: "${KEYCLOAK_ISSUER:?KEYCLOAK_ISSUER is unset: kcbox check sets it}"
: "${KEYCLOAK_CLIENT_ID:=inventory-api}"
case "$KEYCLOAK_ISSUER" in
  https://*) ;;
  *) echo "mod_auth_openidc fetches JWKS over https only; KEYCLOAK_ISSUER is $KEYCLOAK_ISSUER (set keycloak.tls: true)" >&2; exit 2 ;;
esac
: "${KEYCLOAK_CA_FILE:?KEYCLOAK_CA_FILE is unset: start Keycloak with TLS (keycloak.tls: true)}"
FAULT="${FAULT:-}"
MODULES="${APACHE_MODULES:-/usr/lib/apache2/modules}"
HERE="$(cd "$(dirname "$0")" && pwd)"
RUN="$(mktemp -d "${TMPDIR:-/tmp}/kcbox-apache-XXXXXX")"
trap 'rm -rf "$RUN"' EXIT INT TERM

# What every protected path checks besides its roles: the realm's issuer, this API in the
# audience, and an access token (Keycloak's typ "Bearer"), not an ID or refresh token.
token_checks() {
  if [ "$FAULT" = any-issuer ]; then return; fi
  printf '      Require claim iss:%s\n' "$KEYCLOAK_ISSUER"
  printf '      Require claim aud:%s\n' "$KEYCLOAK_CLIENT_ID"
  printf '      Require claim typ:Bearer\n'
}
ROLES="resource_access.$KEYCLOAK_CLIENT_ID.roles"

if [ "$FAULT" = skip-delete-role ]; then
  DELETE_RULE='Require method DELETE'
else
  DELETE_RULE="<RequireAll>
          Require method DELETE
          Require claim $ROLES:inventory-admin
        </RequireAll>"
fi

cat > "$RUN/httpd.conf" <<CONF
ServerRoot "$RUN"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile "$RUN/httpd.pid"
DefaultRuntimeDir "$RUN"
ErrorLog /dev/stderr
LogLevel warn auth_openidc:warn
LogFormat "%m %U %>s" request
CustomLog /dev/stdout request
# One process (-X) serves one connection at a time: a kept-alive idle one would hold up the rest.
KeepAlive Off

LoadModule mpm_prefork_module $MODULES/mod_mpm_prefork.so
LoadModule authn_core_module $MODULES/mod_authn_core.so
LoadModule authz_core_module $MODULES/mod_authz_core.so
LoadModule authz_user_module $MODULES/mod_authz_user.so
LoadModule mime_module $MODULES/mod_mime.so
LoadModule alias_module $MODULES/mod_alias.so
LoadModule cgi_module $MODULES/mod_cgi.so
LoadModule auth_openidc_module $MODULES/mod_auth_openidc.so

TypesConfig /etc/mime.types
DocumentRoot "$HERE/htdocs"
<Directory />
  Require all denied
</Directory>
<Directory "$HERE/htdocs">
  Require all granted
</Directory>
# Every /api/ path is answered by one tiny CGI script; Apache decides who gets there.
ScriptAliasMatch "^/api/" "$HERE/api.cgi"
<Files "api.cgi">
  Require all granted
</Files>

# OAuth 2.0 resource server: verify bearer JWTs with the realm's keys, fetched over https and
# checked against kcbox's CA (mod_auth_openidc refuses a JWKS over plain http).
OIDCOAuthVerifyJwksUri "$KEYCLOAK_ISSUER/protocol/openid-connect/certs"
OIDCCABundlePath "$KEYCLOAK_CA_FILE"
OIDCOAuthSSLValidateServer On
OIDCOAuthRemoteUserClaim preferred_username
OIDCOAuthAcceptTokenAs header
OIDCCryptoPassphrase "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

<Location "/api/">
  AuthType oauth20
  # A caller with a valid token but without the claims gets 403, not Apache's default 401.
  AuthzSendForbiddenOnFailure On
  <RequireAll>
    Require valid-user
$(token_checks)
  </RequireAll>
</Location>

<Location "/api/inventory">
  AuthType oauth20
  # A caller with a valid token but without the claims gets 403, not Apache's default 401.
  AuthzSendForbiddenOnFailure On
  <RequireAll>
$(token_checks)
    <RequireAny>
      Require claim $ROLES:inventory-admin
      <RequireAll>
        Require method GET HEAD
        Require claim $ROLES:inventory-user
      </RequireAll>
      $DELETE_RULE
    </RequireAny>
  </RequireAll>
</Location>
CONF

/usr/sbin/apache2 -X -f "$RUN/httpd.conf" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; rm -rf "$RUN"' INT TERM
wait "$child"
