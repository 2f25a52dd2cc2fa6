package org.cartrelay.connectors;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.cartrelay.event.OutboundEvent;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The keys every connector file has, validated against {@code connector.schema.json} and with the schema's
 * defaults filled in; {@code config} is the whole file so filled, which {@link ConnectorType} binds to the type's
 * settings record. {@code respectUnsubscribe}: the connector mails buyers (or feeds a tool that does), so buyers on
 * the suppression list get nothing through it.
 */
public record ConnectorDefinition(
        String name,
        String type,
        Path file,
        boolean enabled,
        Set<String> events,
        Filter filter,
        boolean requireConsent,
        boolean respectUnsubscribe,
        String endpoint,
        Auth auth,
        Duration timeout,
        RetryPolicy retry,
        String rateLimit,
        JsonNode config) {

    /** Whether this connector subscribes to the event and its filter lets it through. */
    public boolean wants(OutboundEvent event) {
        return events.contains(event.type()) && filter.matches(event);
    }

    public record Filter(BigDecimal minTotal, Set<String> products, Set<String> countries) {

        public static final Filter NONE = new Filter(null, Set.of(), Set.of());

        public boolean matches(OutboundEvent event) {
            if (minTotal != null) {
                BigDecimal total =
                        event.checkout() == null ? null : event.checkout().total();
                if (total == null || total.compareTo(minTotal) < 0) {
                    return false;
                }
            }
            if (!products.isEmpty()) {
                boolean any = event.checkout() != null
                        && event.checkout().items().stream().anyMatch(item -> products.contains(item.productId()));
                if (!any) {
                    return false;
                }
            }
            if (!countries.isEmpty()) {
                String country = event.customer() == null || event.customer().address() == null
                        ? null
                        : event.customer().address().country();
                return country != null && countries.contains(country);
            }
            return true;
        }
    }

    /** One of bearer, basic or a named header; secrets come from the file, usually as ${ENV} references. */
    public record Auth(String bearer, String basicUser, String basicPassword, String headerName, String headerValue) {

        public static final Auth NONE = new Auth(null, null, null, null, null);

        /** The request headers this auth adds. */
        public Map<String, String> headers() {
            if (bearer != null) {
                return Map.of("Authorization", "Bearer " + bearer);
            }
            if (basicUser != null) {
                String pair = basicUser + ":" + (basicPassword == null ? "" : basicPassword);
                return Map.of(
                        "Authorization",
                        "Basic "
                                + java.util.Base64.getEncoder()
                                        .encodeToString(pair.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            if (headerName != null) {
                return Map.of(headerName, headerValue == null ? "" : headerValue);
            }
            return Map.of();
        }
    }
}
