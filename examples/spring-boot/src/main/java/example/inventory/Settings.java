package example.inventory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the application reads from the environment itself: the client id (audience and role owner) and
 * {@code FAULT}. The issuer and the port reach Spring through application.properties
 * ({@code ${KEYCLOAK_ISSUER}}, {@code ${PORT}}); they are checked here so that a missing one is one clear line
 * instead of a placeholder stack trace.
 */
public record Settings(String clientId, Set<Fault> faults) {

  private static final List<String> REQUIRED = List.of("KEYCLOAK_URL", "KEYCLOAK_REALM", "KEYCLOAK_ISSUER", "KEYCLOAK_CLIENT_ID", "PORT");

  public boolean has(Fault fault) {
    return faults.contains(fault);
  }

  public static Settings fromEnvironment(Map<String, String> env) {
    List<String> missing = new ArrayList<>();
    for (String name : REQUIRED) {
      String value = env.get(name);
      if (value == null || value.isEmpty()) missing.add(name);
    }
    if (!missing.isEmpty()) {
      fail("missing environment variable(s): " + String.join(", ", missing) + " (kcbox injects them; see README.md)");
    }
    String port = env.get("PORT");
    if (!port.matches("[1-9][0-9]{0,4}") || Integer.parseInt(port) > 65535) {
      fail("PORT must be a TCP port, got \"" + port + "\"");
    }
    String expectedIssuer = env.get("KEYCLOAK_URL").replaceAll("/+$", "") + "/realms/" + env.get("KEYCLOAK_REALM");
    if (!env.get("KEYCLOAK_ISSUER").equals(expectedIssuer)) {
      fail("KEYCLOAK_ISSUER (" + env.get("KEYCLOAK_ISSUER") + ") is not KEYCLOAK_URL/realms/KEYCLOAK_REALM (" + expectedIssuer + ")");
    }
    Set<Fault> faults = EnumSet.noneOf(Fault.class);
    for (String entry : env.getOrDefault("FAULT", "").split(",")) {
      String name = entry.trim();
      if (name.isEmpty()) continue;
      Fault fault = Fault.byId(name);
      if (fault == null) {
        String known = Arrays.stream(Fault.values()).map(Fault::id).collect(Collectors.joining(", "));
        fail("unknown FAULT \"" + name + "\"; known: " + known);
      }
      faults.add(fault);
    }
    return new Settings(env.get("KEYCLOAK_CLIENT_ID"), faults);
  }

  private static void fail(String message) {
    System.err.println("spring-boot-inventory: " + message);
    System.exit(1);
  }
}
