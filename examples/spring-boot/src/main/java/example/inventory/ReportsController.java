package example.inventory;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Endpoints guarded the other ways Spring applications check Keycloak tokens, for realms without Authorization
 * Services: OAuth scopes ({@code SCOPE_reports:read} from the token's {@code scope} claim) and realm roles
 * ({@code REALM_auditor}). The rules are in {@link SecurityConfig}; the handlers never look at the token.
 */
@RestController
public class ReportsController {

  private final List<Map<String, Object>> reports = new CopyOnWriteArrayList<>(List.of(Map.of("id", 1, "title", "stock levels")));

  @GetMapping("/api/reports")
  public List<Map<String, Object>> reports() {
    return List.copyOf(reports);
  }

  @PostMapping("/api/reports")
  public ResponseEntity<Map<String, Object>> addReport() {
    Map<String, Object> report = Map.of("id", reports.size() + 1, "title", "report " + (reports.size() + 1));
    reports.add(report);
    return ResponseEntity.created(URI.create("/api/reports/" + report.get("id"))).body(report);
  }

  @GetMapping("/api/audit")
  public List<Map<String, String>> audit() {
    return List.of(Map.of("event", "started"));
  }
}
