package example.inventory;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Every error of a handler becomes a JSON answer {@code {"error": …}}: an invalid item 400, Spring MVC's own
 * refusals (unknown path 404, method 405, media type 415…) with their status, anything else 500. Refusals of
 * Spring Security (401, 403) never reach this: they are answered by its filters.
 */
@RestControllerAdvice
public class ErrorAnswers {

  private static final Logger log = LoggerFactory.getLogger(ErrorAnswers.class);

  @ExceptionHandler({InventoryController.InvalidItemException.class, HttpMessageNotReadableException.class})
  ResponseEntity<Map<String, String>> invalidItem(Exception error) {
    return ResponseEntity.badRequest()
        .body(Map.of("error", "invalid_item", "error_description", "expected {name: non-empty string, quantity: integer >= 0}"));
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Map<String, String>> other(Exception error) {
    if (error instanceof ErrorResponse known && known.getStatusCode().is4xxClientError()) {
      HttpStatusCode status = known.getStatusCode();
      return ResponseEntity.status(status).headers(known.getHeaders()).body(Map.of("error", status.value() == 404 ? "not_found" : "bad_request"));
    }
    log.error("spring-boot-inventory: unexpected error", error);
    return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(Map.of("error", "internal_error"));
  }
}
