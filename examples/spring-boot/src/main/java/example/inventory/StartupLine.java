package example.inventory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** One line once the server accepts requests, like the other examples. */
@Component
public class StartupLine {

  private final String address;
  private final String port;
  private final String issuer;
  private final Settings settings;

  StartupLine(
      @Value("${server.address}") String address,
      @Value("${server.port}") String port,
      @Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri}") String issuer,
      Settings settings) {
    this.address = address;
    this.port = port;
    this.issuer = issuer;
    this.settings = settings;
  }

  @EventListener(ApplicationReadyEvent.class)
  public void ready() {
    System.out.println("spring-boot-inventory: listening on http://" + address + ":" + port + " (issuer " + issuer + ", client " + settings.clientId() + ")");
  }
}
