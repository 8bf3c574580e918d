package example.inventory;

import jakarta.servlet.DispatcherType;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Spring Security the way its reference documentation configures a resource server: the issuer from
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}, an audience validator (and, for Keycloak, a typ
 * validator) added to the default validators, the client's roles, realm roles and OAuth scopes as authorities, and one
 * {@code hasRole} rule per inventory endpoint that mirrors the realm's permissions (view: inventory-admin or
 * inventory-user; add, edit, delete: inventory-admin), plus {@code hasAuthority} rules on scopes and a realm role for
 * the second matrix's endpoints.
 */
@Configuration
@EnableWebSecurity
public class SecurityConfig {

  static final String ADMIN = "inventory-admin";
  static final String USER = "inventory-user";

  @Bean
  SecurityFilterChain api(HttpSecurity http, Settings settings, JwtAuthenticationConverter keycloakRoles) throws Exception {
    http.authorizeHttpRequests(authorize -> {
      // An error page rendered for a request that was already authorized (a 400, a 415) is not a new request.
      authorize.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
      authorize.requestMatchers(HttpMethod.GET, "/health").permitAll();
      authorize.requestMatchers(HttpMethod.GET, "/api/inventory").hasAnyRole(ADMIN, USER);
      authorize.requestMatchers(HttpMethod.POST, "/api/inventory").hasRole(ADMIN);
      authorize.requestMatchers(HttpMethod.PUT, "/api/inventory/*").hasRole(ADMIN);
      if (settings.has(Fault.SKIP_DELETE_ROLE)) {
        authorize.requestMatchers(HttpMethod.DELETE, "/api/inventory/*").authenticated();
      } else {
        authorize.requestMatchers(HttpMethod.DELETE, "/api/inventory/*").hasRole(ADMIN);
      }
      // Realms without Authorization Services: OAuth scopes from the token's scope claim, and realm roles.
      authorize.requestMatchers(HttpMethod.GET, "/api/reports").hasAuthority("SCOPE_reports:read");
      authorize.requestMatchers(HttpMethod.POST, "/api/reports").hasAuthority("SCOPE_reports:write");
      authorize.requestMatchers(HttpMethod.GET, "/api/audit").hasAuthority("REALM_auditor");
      // Deny by default: any other method or path.
      authorize.anyRequest().denyAll();
    });
    http.oauth2ResourceServer(server -> server.jwt(jwt -> jwt.jwtAuthenticationConverter(keycloakRoles)));
    // A stateless API authenticated by bearer tokens only: no session, no CSRF token, no login page.
    http.sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
    http.csrf(csrf -> csrf.disable());
    return http.build();
  }

  /**
   * Signature from the realm's JWKS (found through the issuer's discovery document), then the default
   * validators (exp and nbf with 60 s of skew, iss equal to the issuer), the audience, and Keycloak's token type.
   */
  @Bean
  JwtDecoder jwtDecoder(@Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri}") String issuer, Settings settings) {
    NimbusJwtDecoder decoder = JwtDecoders.fromIssuerLocation(issuer);
    List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
    validators.add(JwtValidators.createDefaultWithIssuer(issuer));
    if (!settings.has(Fault.SKIP_AUDIENCE_CHECK)) validators.add(new AudienceValidator(settings.clientId()));
    // Keycloak signs its ID tokens with the same key as its access tokens; only the typ claim tells them apart.
    if (!settings.has(Fault.SKIP_TYP_CHECK)) validators.add(new JwtClaimValidator<String>("typ", "Bearer"::equals));
    decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
    return decoder;
  }

  /**
   * Authorities {@code ROLE_<role>} from {@code resource_access.<KEYCLOAK_CLIENT_ID>.roles}, {@code REALM_<role>} from
   * {@code realm_access.roles}, and Spring's own {@code SCOPE_<scope>} from the {@code scope} claim.
   */
  @Bean
  JwtAuthenticationConverter keycloakRoles(Settings settings) {
    KeycloakClientRoles clientRoles = new KeycloakClientRoles(settings.clientId());
    KeycloakRealmRoles realmRoles = new KeycloakRealmRoles();
    JwtGrantedAuthoritiesConverter scopes = new JwtGrantedAuthoritiesConverter();
    JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
    converter.setJwtGrantedAuthoritiesConverter(jwt -> {
      List<GrantedAuthority> authorities = new ArrayList<>(clientRoles.convert(jwt));
      authorities.addAll(realmRoles.convert(jwt));
      authorities.addAll(scopes.convert(jwt));
      return authorities;
    });
    return converter;
  }
}
