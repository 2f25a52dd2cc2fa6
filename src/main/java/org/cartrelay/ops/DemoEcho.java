package org.cartrelay.ops;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.cartrelay.support.StandardWebhooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * A demo receiver so a newcomer sees a delivery happen, there only with {@code cartrelay.demo.enabled=true} (which
 * also adds the bundled demo connector that posts here). It keeps what arrives signed with
 * {@code cartrelay.demo.secret} (Standard Webhooks) and refuses the rest with 401; GET lists the last 20 arrivals,
 * which hold buyers' data, so it needs the admin's credentials ({@link AdminSecurity}). Not meant for production.
 */
@RestController
@ConditionalOnProperty(name = "cartrelay.demo.enabled", havingValue = "true")
public class DemoEcho {

    private static final Logger log = LoggerFactory.getLogger(DemoEcho.class);
    private static final int KEPT = 20;

    private final String secret;
    private final Deque<Map<String, Object>> received = new ArrayDeque<>();

    public DemoEcho(@Value("${cartrelay.demo.secret:}") String secret) {
        this.secret = secret;
    }

    @PostMapping("/demo/echo")
    public ResponseEntity<Void> receive(@RequestBody byte[] body,
            @RequestHeader(name = "webhook-id", required = false) String id,
            @RequestHeader(name = "webhook-timestamp", required = false) String timestamp,
            @RequestHeader(name = "webhook-signature", required = false) String signature) {
        boolean signed = !secret.isBlank() && id != null && timestamp != null && timestamp.matches("\\d{1,18}")
                && StandardWebhooks.withSecret(secret).verify(id, Long.parseLong(timestamp), body, signature);
        if (!signed) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).build();
        }
        String text = new String(body, StandardCharsets.UTF_8);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("receivedAt", Instant.now().toString());
        entry.put("webhookId", id);
        entry.put("body", text);
        synchronized (received) {
            received.addFirst(entry);
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
            return new ArrayList<>(received);
        }
    }
}
