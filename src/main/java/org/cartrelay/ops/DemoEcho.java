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
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * A demo receiver so a newcomer sees a delivery happen: the shipped {@code connectors/demo-echo.yaml} posts here.
 * It checks the Standard Webhooks signature with {@code cartrelay.demo.secret}, logs what arrived and lists the
 * last 20 arrivals on GET. Not meant for production; delete the connector file to stop using it.
 */
@RestController
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
        boolean signed = !secret.isBlank() && id != null && timestamp != null && timestamp.matches("\\d+")
                && StandardWebhooks.withSecret(secret).verify(id, Long.parseLong(timestamp), body, signature);
        String text = new String(body, StandardCharsets.UTF_8);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("receivedAt", Instant.now().toString());
        entry.put("webhookId", id);
        entry.put("signatureValid", signed);
        entry.put("body", text);
        synchronized (received) {
            received.addFirst(entry);
            while (received.size() > KEPT) {
                received.removeLast();
            }
        }
        log.info("Demo echo received {} (signature {})", id, signed ? "valid" : "NOT valid");
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/demo/echo")
    public List<Map<String, Object>> list() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }
}
