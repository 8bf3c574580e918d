package example.inventory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The inventory API of the other examples as a Spring Boot 3 OAuth2 resource server.
 *
 * <p>Configuration comes only from the environment kcbox injects (see README.md). A missing variable or an
 * unknown {@code FAULT} stops the application before Spring starts, with one line and exit status 1.
 */
@SpringBootApplication
public class InventoryApplication {

  public static void main(String[] args) {
    Settings settings = Settings.fromEnvironment(System.getenv());
    for (Fault fault : settings.faults()) {
      System.out.println("spring-boot-inventory: FAULT " + fault.id() + ": " + fault.description());
    }
    SpringApplication application = new SpringApplication(InventoryApplication.class);
    application.addInitializers(context -> context.getBeanFactory().registerSingleton("settings", settings));
    application.run(args);
  }
}
