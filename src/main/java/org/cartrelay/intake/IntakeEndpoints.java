package org.cartrelay.intake;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.cartrelay.ops.HubMetrics;
import org.cartrelay.ops.Traces;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Serves every {@link IntakeSource} bean's path from one servlet filter ahead of the rest of the web stack. Senders
 * prove themselves with signatures, so the admin security chain has nothing to do here, and the per-request machinery
 * of Spring MVC (handler lookup, the security matchers' handler-mapping cache, the request observation) would cost
 * more than the intake's own work. Paths it does not serve go on down the chain as usual.
 */
@Configuration(proxyBeanMethods = false)
public class IntakeEndpoints {

    /** One intake route: which source it counts refusals for, and the handler. */
    record Route(String source, IntakeSource.Handler handler) {}

    @Bean
    FilterRegistrationBean<Filter> intakeFilter(
            List<IntakeSource> sources, IntakeErrors errors, HubMetrics metrics, ObjectMapper json, Traces traces) {
        Map<String, Map<String, Route>> routes = new LinkedHashMap<>();
        for (IntakeSource source : sources) {
            Map<String, Route> byMethod = new LinkedHashMap<>();
            source.handlers().forEach((method, handler) -> byMethod.put(method, new Route(source.name(), handler)));
            if (routes.putIfAbsent(source.path(), Map.copyOf(byMethod)) != null) {
                throw new IllegalStateException("Two intake sources are served on " + source.path()
                        + "; the second is '" + source.name() + "'.");
            }
        }
        FilterRegistrationBean<Filter> registration =
                new FilterRegistrationBean<>(new IntakeFilter(routes, errors, metrics, json, traces));
        registration.setName("cartrelayIntake");
        registration.setUrlPatterns(routes.keySet());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    static final class IntakeFilter implements Filter {

        private final Map<String, Map<String, Route>> routes;
        private final IntakeErrors errors;
        private final HubMetrics metrics;
        private final ObjectMapper json;
        private final Traces traces;

        IntakeFilter(
                Map<String, Map<String, Route>> routes,
                IntakeErrors errors,
                HubMetrics metrics,
                ObjectMapper json,
                Traces traces) {
            this.routes = routes;
            this.errors = errors;
            this.metrics = metrics;
            this.json = json;
            this.traces = traces;
        }

        @Override
        public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) servletRequest;
            HttpServletResponse response = (HttpServletResponse) servletResponse;
            Map<String, Route> byMethod = routes.get(request.getServletPath());
            if (byMethod == null) {
                chain.doFilter(request, response);
                return;
            }
            Route route = byMethod.get(request.getMethod());
            if (route == null) {
                String allowed = byMethod.keySet().stream().sorted().collect(Collectors.joining(", "));
                write(
                        request,
                        response,
                        ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED)
                                .header(HttpHeaders.ALLOW, allowed)
                                .contentType(MediaType.TEXT_PLAIN)
                                .body("This path answers only " + allowed + "."));
                return;
            }
            // the notice's trace starts here (or continues the sender's); what it keeps carries the span's context
            Span span = traces.startServer("cartrelay intake " + route.source(), request);
            ResponseEntity<?> answer;
            try (Tracer.SpanInScope scope = traces.inScope(span)) {
                answer = route.handler().handle(request);
            } catch (RuntimeException e) {
                answer = errors.answer(e);
                if (answer == null) {
                    span.error(e).end();
                    throw e;
                }
            }
            int status = answer.getStatusCode().value();
            span.tag("cartrelay.source", route.source())
                    .tag("http.request.method", request.getMethod())
                    .tag("url.path", request.getServletPath())
                    .tag("http.response.status_code", status)
                    .end();
            if (status >= 400 && status < 500 && status != 404) {
                metrics.notice(route.source(), "refused");
            } else if (status == 503) {
                metrics.notice(route.source(), "unavailable");
            }
            write(request, response, answer);
        }

        private void write(HttpServletRequest request, HttpServletResponse response, ResponseEntity<?> answer)
                throws IOException {
            response.setStatus(answer.getStatusCode().value());
            answer.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
            MediaType type = answer.getHeaders().getContentType();
            if (type != null && type.getCharset() == null && "text".equals(type.getType())) {
                response.setContentType(type + ";charset=UTF-8");
            }
            Object body = answer.getBody();
            if (body instanceof ProblemDetail problem && problem.getInstance() == null) {
                problem.setInstance(java.net.URI.create(request.getRequestURI()));
            }
            byte[] bytes = body == null
                    ? new byte[0]
                    : body instanceof String text
                            ? text.getBytes(StandardCharsets.UTF_8)
                            : json.writeValueAsBytes(body);
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
        }
    }
}
