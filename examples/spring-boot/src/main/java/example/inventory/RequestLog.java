package example.inventory;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One line per request, {@code METHOD path status}, including the 401s and 403s of Spring Security (this filter
 * runs before its filter chain). Never the query string, never a header: neither may carry a token into the log.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestLog extends OncePerRequestFilter {

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    try {
      chain.doFilter(request, response);
    } finally {
      String path = request.getRequestURI().replaceAll("[\\p{Cntrl}\\s]", "?");
      System.out.println(request.getMethod() + " " + path + " " + response.getStatus());
    }
  }
}
