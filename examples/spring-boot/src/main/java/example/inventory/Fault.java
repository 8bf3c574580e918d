package example.inventory;

/** Deliberate bugs for contract tests, switched on by the comma-separated {@code FAULT} variable. */
public enum Fault {
  SKIP_DELETE_ROLE("skip-delete-role", "DELETE /api/inventory/{id} only requires authentication (any valid token may delete)"),
  SKIP_AUDIENCE_CHECK("skip-audience-check", "no audience validator: tokens issued for any client of the realm authenticate"),
  SKIP_TYP_CHECK("skip-typ-check", "no typ validator: any realm-signed token type (ID, Refresh) authenticates");

  private final String id;
  private final String description;

  Fault(String id, String description) {
    this.id = id;
    this.description = description;
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  /** The fault named {@code id}, or null. */
  public static Fault byId(String id) {
    for (Fault fault : values()) {
      if (fault.id.equals(id)) return fault;
    }
    return null;
  }
}
