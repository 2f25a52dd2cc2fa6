package org.cartrelay.intake.shopify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.intake.IntakeBounds;
import org.cartrelay.intake.IntakeProblems;
import org.cartrelay.intake.IntakeService;
import org.cartrelay.intake.IntakeSource;
import org.cartrelay.intake.Notice;
import org.cartrelay.intake.Parsed;
import org.cartrelay.intake.RawBody;
import org.cartrelay.intake.SourceDisabledException;
import org.cartrelay.support.Digests;
import org.cartrelay.support.JsonSchemas;
import org.cartrelay.support.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
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
    private static final String SECRET = "cartrelay.sources.shopify.secret";

    private static final Logger log = LoggerFactory.getLogger(ShopifyIntake.class);

    private final IntakeService intake;
    private final ShopifyProperties settings;
    private final long maxBody;
    private final ShopifyMapper mapper;
    private final Clock clock;

    public ShopifyIntake(
            IntakeService intake, CartRelayProperties properties, ShopifyProperties settings, Clock clock) {
        this.intake = intake;
        this.settings = settings;
        this.maxBody = properties.intake().maxBody().toBytes();
        this.mapper = new ShopifyMapper(settings.consentDefault());
        this.clock = clock;
    }

    /** What {@link org.cartrelay.intake.IntakeEndpoints} serves of this source. */
    @Bean
    IntakeSource shopifySource() {
        return new IntakeSource(
                ShopifyMapper.SOURCE,
                PATH,
                Map.of("POST", this::receive),
                settings.abandonmentDelay(),
                SECRET,
                IntakeSource.isSet(settings.secret()));
    }

    public ResponseEntity<?> receive(HttpServletRequest request) throws IOException {
        return intake.acceptAndAnswerOk(parse(request), log);
    }

    /** Checks the HMAC and maps the webhook without keeping anything. */
    public Parsed parse(HttpServletRequest request) throws IOException {
        String secret = settings.secret();
        if (!IntakeSource.isSet(secret)) {
            throw new SourceDisabledException("Shopify", SECRET);
        }
        byte[] body = RawBody.read(request, maxBody);
        if (!ShopifySignature.verify(secret, body, request.getHeader("X-Shopify-Hmac-Sha256"))) {
            log.warn("Shopify webhook refused: bad or missing X-Shopify-Hmac-Sha256");
            return Parsed.answer(IntakeProblems.problem(
                    HttpStatus.UNAUTHORIZED,
                    "Signature refused",
                    "The X-Shopify-Hmac-Sha256 header does not match the body."));
        }
        String raw = new String(body, StandardCharsets.UTF_8);
        String topic = request.getHeader("X-Shopify-Topic");
        String webhookId = request.getHeader("X-Shopify-Webhook-Id");
        String sourceEventId =
                webhookId != null && !webhookId.isBlank() ? webhookId : "sha256-" + Digests.sha256(topic + "\n" + raw);
        JsonNode json;
        try {
            json = IntakeBounds.readTree(body);
        } catch (JsonProcessingException e) {
            json = null;
        }
        List<JsonSchemas.Violation> numbers = json == null ? List.of() : IntakeBounds.numbers(json);
        Notice notice = json == null || !json.isObject()
                ? Notice.rejected(ShopifyMapper.SOURCE, sourceEventId, raw, "The body is not a JSON object.")
                : !numbers.isEmpty()
                        ? Notice.rejected(ShopifyMapper.SOURCE, sourceEventId, raw, IntakeBounds.reason(numbers))
                        : IntakeBounds.enforce(mapper.map(topic, sourceEventId, json, raw, clock.instant()));
        return Parsed.keep(notice, "Shopify " + LogSafe.value(topic));
    }
}
