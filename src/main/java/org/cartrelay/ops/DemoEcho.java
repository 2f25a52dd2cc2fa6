package org.cartrelay.ops;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.privacy.CustomerErased;
import org.cartrelay.support.Masking;
import org.cartrelay.support.StandardWebhooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * A demo receiver so a newcomer sees a delivery happen, there only with {@code cartrelay.demo.enabled=true} (which
 * also adds the bundled demo connector that posts here). It keeps what arrives signed with
 * {@code cartrelay.demo.secret} (Standard Webhooks) and refuses the rest with 401; GET lists the last 20 arrivals
 * and needs the admin's credentials ({@link AdminSecurity}). Not meant for production.
 * <p>
 * It keeps no buyer's contact data: the customer's email, phone, names, street and zip are masked before the body
 * is kept, and so is the buyer's address (as given, lower-cased or URL-encoded), phone and any other email address
 * wherever else it stands (a resume link, say). To forget a buyer on erasure ({@link CustomerErased}) each arrival
 * keeps a keyed hash of the buyer's address, under a key that lives only in memory.
 */
@RestController
@ConditionalOnProperty(name = "cartrelay.demo.enabled", havingValue = "true")
public class DemoEcho {

    private static final Logger log = LoggerFactory.getLogger(DemoEcho.class);
    private static final int KEPT = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Arrival(Map<String, Object> entry, String buyer) {}

    private final String secret;
    private final byte[] buyerKey = new byte[32];
    private final Deque<Arrival> received = new ArrayDeque<>();

    public DemoEcho(CartRelayProperties properties) {
        this.secret =
                properties.demo().secret() == null ? "" : properties.demo().secret();
        new SecureRandom().nextBytes(buyerKey);
    }

    @PostMapping("/demo/echo")
    public ResponseEntity<Void> receive(
            @RequestBody byte[] body,
            @RequestHeader(name = "webhook-id", required = false) String id,
            @RequestHeader(name = "webhook-timestamp", required = false) String timestamp,
            @RequestHeader(name = "webhook-signature", required = false) String signature) {
        boolean signed = !secret.isBlank()
                && id != null
                && timestamp != null
                && timestamp.matches("\\d{1,18}")
                && StandardWebhooks.withSecret(secret).verify(id, Long.parseLong(timestamp), body, signature);
        if (!signed) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).build();
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("receivedAt", Instant.now().toString());
        entry.put("webhookId", id);
        String buyer;
        try {
            JsonNode event = JSON.readTree(body);
            String email = event.path("customer").path("email").asText(null);
            buyer = email == null ? null : buyerHash(email);
            entry.put("body", JSON.writeValueAsString(masked(event)));
        } catch (IOException notJson) {
            buyer = null;
            entry.put("body", "[not JSON, " + body.length + " bytes, not kept]");
        }
        synchronized (received) {
            received.addFirst(new Arrival(entry, buyer));
            while (received.size() > KEPT) {
                received.removeLast();
            }
        }
        log.info("Demo echo received {}", id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/demo/echo")
    public List<Map<String, Object>> list() {
        synchronized (received) {
            return received.stream().map(Arrival::entry).toList();
        }
    }

    /** Forgets every arrival of an erased buyer. */
    @EventListener
    public void erased(CustomerErased erased) {
        String buyer = buyerHash(erased.email());
        int removed = 0;
        synchronized (received) {
            for (Iterator<Arrival> it = received.iterator(); it.hasNext(); ) {
                if (buyer.equals(it.next().buyer())) {
                    it.remove();
                    removed++;
                }
            }
        }
        if (removed > 0) {
            log.info("Demo echo forgot {} arrival(s) of erased customer {}", removed, Masking.email(erased.email()));
        }
    }

    /** The event with the buyer's contact data masked. */
    static JsonNode masked(JsonNode event) {
        JsonNode copy = event.deepCopy();
        if (!(copy.path("customer") instanceof ObjectNode customer)) {
            return replaceText(copy, Masking::emailsIn);
        }
        String email = customer.path("email").asText(null);
        String phone = customer.path("phone").asText(null);
        replace(customer, "email", Masking::email);
        replace(customer, "phone", Masking::phone);
        replace(customer, "firstName", DemoEcho::initial);
        replace(customer, "lastName", DemoEcho::initial);
        if (customer.path("address") instanceof ObjectNode address) {
            replace(address, "street", value -> "***");
            replace(address, "zip", value -> "***");
        }
        List<String[]> forms = new ArrayList<>();
        if (email != null && !email.isBlank()) {
            String lower = email.toLowerCase(Locale.ROOT);
            String mask = Masking.email(email);
            // URL-encoded forms (in a resume link) get the mask URL-encoded: no '@' the link's text could lose
            String encodedMask = URLEncoder.encode(mask, StandardCharsets.UTF_8);
            for (String form : List.of(email, lower)) {
                forms.add(new String[] {form, mask});
            }
            for (String form : List.of(
                    URLEncoder.encode(email, StandardCharsets.UTF_8),
                    URLEncoder.encode(lower, StandardCharsets.UTF_8),
                    lower.replace("@", "%40"))) {
                forms.add(new String[] {form, encodedMask});
            }
        }
        if (phone != null && !phone.isBlank()) {
            forms.add(new String[] {phone, Masking.phone(phone)});
        }
        return replaceText(copy, text -> {
            String result = text;
            for (String[] form : forms) {
                result = result.replace(form[0], form[1]);
                result = result.replace(form[0].toUpperCase(Locale.ROOT), form[1]);
            }
            return Masking.emailsIn(result);
        });
    }

    private static void replace(ObjectNode node, String field, UnaryOperator<String> mask) {
        JsonNode value = node.get(field);
        if (value != null && value.isTextual()) {
            node.put(field, mask.apply(value.asText()));
        }
    }

    private static JsonNode replaceText(JsonNode node, UnaryOperator<String> mask) {
        if (node.isTextual()) {
            return TextNode.valueOf(mask.apply(node.asText()));
        }
        if (node instanceof ObjectNode object) {
            object.properties().forEach(field -> field.setValue(replaceText(field.getValue(), mask)));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                ((ArrayNode) node).set(i, replaceText(node.get(i), mask));
            }
        }
        return node;
    }

    private static String initial(String name) {
        return name.isEmpty()
                ? name
                : name.codePoints()
                                .limit(1)
                                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                        + "***";
    }

    private String buyerHash(String email) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(buyerKey, "HmacSHA256"));
            return HexFormat.of()
                    .formatHex(
                            mac.doFinal(email.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
