package example.inventory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Keycloak's client roles as Spring authorities: {@code resource_access.<client>.roles} → {@code ROLE_<role>},
 * so {@code hasRole("inventory-admin")} reads like the realm. A token without {@code resource_access}, without
 * the client, or with a claim of another JSON type has no roles (403), never a 500.
 */
final class KeycloakClientRoles implements Converter<Jwt, Collection<GrantedAuthority>> {

  private final String clientId;

  KeycloakClientRoles(String clientId) {
    this.clientId = clientId;
  }

  @Override
  public Collection<GrantedAuthority> convert(Jwt jwt) {
    if (!(jwt.getClaims().get("resource_access") instanceof Map<?, ?> access)) return List.of();
    if (!(access.get(clientId) instanceof Map<?, ?> client)) return List.of();
    if (!(client.get("roles") instanceof Collection<?> roles)) return List.of();
    return roles.stream()
        .filter(String.class::isInstance)
        .map(role -> (GrantedAuthority) new SimpleGrantedAuthority("ROLE_" + role))
        .toList();
  }
}
