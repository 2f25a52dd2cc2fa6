package org.cartrelay.intake;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.support.JsonSchemas;
import org.cartrelay.support.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import jakarta.servlet.http.HttpServletRequest;

/** {@code /webhooks/shopify}: HMAC-SHA256 over the raw body, checked before any parsing. */
@Component
public class ShopifyIntake {

    static final String PATH = "/webhooks/shopify";

    private static final Logger log = LoggerFactory.getLogger(ShopifyIntake.class);

    private final IntakeService intake;
    private final CartRelayProperties properties;
    private final ShopifyMapper mapper;
    private final java.time.Clock clock;

    public ShopifyIntake(IntakeService intake, CartRelayProperties properties, java.time.Clock clock) {
        this.clock = clock;
        this.intake = intake;
        this.properties = properties;
        this.mapper = new ShopifyMapper(properties.sources().shopify().consentDefault());
    }

    public ResponseEntity<?> receive(HttpServletRequest request) throws IOException {
        return intake.acceptAndAnswerOk(parse(request), log);
    }

    /** Checks the HMAC and maps the webhook without keeping anything. */
    Parsed parse(HttpServletRequest request) throws IOException {
        String secret = properties.sources().shopify().secret();
        if (secret == null || secret.isBlank()) {
            throw new SourceDisabledException("Shopify", "cartrelay.sources.shopify.secret");
        }
        byte[] body = RawBody.read(request, properties.intake().maxBody().toBytes());
        if (!validHmac(secret, body, request.getHeader("X-Shopify-Hmac-Sha256"))) {
            log.warn("Shopify webhook refused: bad or missing X-Shopify-Hmac-Sha256");
            return Parsed.answer(IntakeProblems.problem(HttpStatus.UNAUTHORIZED, "Signature refused",
                    "The X-Shopify-Hmac-Sha256 header does not match the body."));
        }
        String raw = new String(body, StandardCharsets.UTF_8);
        String topic = request.getHeader("X-Shopify-Topic");
        String webhookId = request.getHeader("X-Shopify-Webhook-Id");
        String sourceEventId = webhookId != null && !webhookId.isBlank() ? webhookId
                : "sha256-" + Digistore24Mapper.sha256(topic + "\n" + raw);
        JsonNode json;
        try {
            json = IntakeBounds.readTree(body);
        } catch (JsonProcessingException e) {
            json = null;
        }
        List<JsonSchemas.Violation> numbers = json == null ? List.of() : IntakeBounds.numbers(json);
        Notice notice = json == null || !json.isObject()
                ? Notice.rejected(ShopifyMapper.SOURCE, sourceEventId, raw, "The body is not a JSON object.")
                : !numbers.isEmpty() ? Notice.rejected(ShopifyMapper.SOURCE, sourceEventId, raw,
                        IntakeBounds.reason(numbers))
                : IntakeBounds.enforce(mapper.map(topic, sourceEventId, json, raw, clock.instant()));
        return Parsed.keep(notice, "Shopify " + LogSafe.value(topic));
    }

    static boolean validHmac(String secret, byte[] body, String header) {
        if (header == null || header.isBlank()) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(header.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return MessageDigest.isEqual(mac.doFinal(body), given);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
