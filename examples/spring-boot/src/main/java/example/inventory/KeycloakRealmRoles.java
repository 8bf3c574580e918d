package example.inventory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Keycloak's realm roles as Spring authorities: {@code realm_access.roles} → {@code REALM_<role>}, checked with
 * {@code hasAuthority("REALM_auditor")}. A prefix of their own, so a realm role never passes for the client role of
 * the same name ({@code ROLE_<role>}). A missing or mistyped claim gives no authorities (403), never a 500.
 */
final class KeycloakRealmRoles implements Converter<Jwt, Collection<GrantedAuthority>> {

  @Override
  public Collection<GrantedAuthority> convert(Jwt jwt) {
    if (!(jwt.getClaims().get("realm_access") instanceof Map<?, ?> access)) return List.of();
    if (!(access.get("roles") instanceof Collection<?> roles)) return List.of();
    return roles.stream()
        .filter(String.class::isInstance)
        .map(role -> (GrantedAuthority) new SimpleGrantedAuthority("REALM_" + role))
        .toList();
  }
}
