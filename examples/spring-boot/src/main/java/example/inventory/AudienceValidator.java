package example.inventory;

import java.util.List;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * The token's {@code aud} must contain the API's client id. Keycloak puts it there through the realm's audience
 * mapper; a token issued to another client of the realm (and an ID token, whose {@code aud} is the client that
 * logged in) lacks it and is refused with 401 {@code invalid_token}.
 */
final class AudienceValidator implements OAuth2TokenValidator<Jwt> {

  private final String audience;
  private final OAuth2Error error;

  AudienceValidator(String audience) {
    this.audience = audience;
    this.error = new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, "The token was not issued for " + audience, null);
  }

  @Override
  public OAuth2TokenValidatorResult validate(Jwt jwt) {
    List<String> audiences = jwt.getAudience();
    return audiences != null && audiences.contains(audience) ? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult.failure(error);
  }
}
