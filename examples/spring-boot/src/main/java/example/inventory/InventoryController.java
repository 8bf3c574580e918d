package example.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The API of the Express example, answer for answer. Who may call what is decided in {@link SecurityConfig};
 * the handlers never look at the token.
 */
@RestController
public class InventoryController {

  public record Item(int id, String name, int quantity) {}

  private record ItemInput(String name, int quantity) {}

  /** Thrown for a body that is not {@code {name: non-empty string, quantity: integer >= 0}}: 400. */
  static final class InvalidItemException extends RuntimeException {
    InvalidItemException() {
      super("expected {name: non-empty string, quantity: integer >= 0}");
    }
  }

  private static final Map<String, String> NOT_FOUND = Map.of("error", "not_found");

  // Ordered by id, which is the order of creation, like the Express example's Map.
  private final Map<Integer, Item> items = new ConcurrentSkipListMap<>(Map.of(1, new Item(1, "hammer", 10), 2, new Item(2, "screwdriver", 25)));
  private final AtomicInteger nextId = new AtomicInteger(3);

  @GetMapping("/health")
  public Map<String, String> health() {
    return Map.of("status", "ok");
  }

  @GetMapping("/api/inventory")
  public List<Item> list() {
    return List.copyOf(items.values());
  }

  @PostMapping("/api/inventory")
  public ResponseEntity<Item> add(@RequestBody(required = false) JsonNode body) {
    ItemInput input = itemInput(body);
    Item item = new Item(nextId.getAndIncrement(), input.name(), input.quantity());
    items.put(item.id(), item);
    return ResponseEntity.created(URI.create("/api/inventory/" + item.id())).body(item);
  }

  @PutMapping("/api/inventory/{id}")
  public ResponseEntity<?> replace(@PathVariable("id") String id, @RequestBody(required = false) JsonNode body) {
    ItemInput input = itemInput(body);
    Integer key = existingId(id);
    if (key == null) return ResponseEntity.status(HttpStatus.NOT_FOUND).body(NOT_FOUND);
    Item item = new Item(key, input.name(), input.quantity());
    items.put(key, item);
    return ResponseEntity.ok(item);
  }

  @DeleteMapping("/api/inventory/{id}")
  public ResponseEntity<?> delete(@PathVariable("id") String id) {
    Integer key = existingId(id);
    if (key == null || items.remove(key) == null) return ResponseEntity.status(HttpStatus.NOT_FOUND).body(NOT_FOUND);
    return ResponseEntity.noContent().build();
  }

  private Integer existingId(String id) {
    if (!id.matches("[1-9][0-9]{0,8}")) return null;
    int key = Integer.parseInt(id);
    return items.containsKey(key) ? key : null;
  }

  /** Validated by hand: Jackson's binding would turn "3" and 3.7 into 3. */
  private static ItemInput itemInput(JsonNode body) {
    if (body == null || !body.isObject()) throw new InvalidItemException();
    JsonNode name = body.get("name");
    JsonNode quantity = body.get("quantity");
    boolean valid =
        name != null
            && name.isTextual()
            && !name.textValue().isBlank()
            && name.textValue().length() <= 200
            && quantity != null
            && quantity.isIntegralNumber()
            && quantity.canConvertToInt()
            && quantity.intValue() >= 0;
    if (!valid) throw new InvalidItemException();
    return new ItemInput(name.textValue(), quantity.intValue());
  }
}
