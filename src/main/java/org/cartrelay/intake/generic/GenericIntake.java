package org.cartrelay.intake.generic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.Consent;
import org.cartrelay.event.EventJson;
import org.cartrelay.intake.IntakeBounds;
import org.cartrelay.intake.IntakeProblems;
import org.cartrelay.intake.IntakeService;
import org.cartrelay.intake.IntakeSource;
import org.cartrelay.intake.Notice;
import org.cartrelay.intake.Parsed;
import org.cartrelay.intake.RawBody;
import org.cartrelay.intake.SourceDisabledException;
import org.cartrelay.support.JsonSchemas;
import org.cartrelay.support.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code POST /events}: one canonical event, signed per Standard Webhooks. Answers 202 with the notice id; 400 for
 * unparsable JSON and 422 for schema violations, as {@code application/problem+json} naming every bad field.
 */
@Component
public class GenericIntake {

    static final String PATH = "/events";
    private static final String SECRET = "cartrelay.sources.generic.secret";

    private static final Logger log = LoggerFactory.getLogger(GenericIntake.class);
    private static final JsonSchemas SCHEMA = JsonSchemas.load("/schemas/canonical-event.schema.json");
    static final String SOURCE = "generic";

    private final IntakeService intake;
    private final GenericProperties settings;
    private final long maxBody;
    private final Clock clock;

    public GenericIntake(
            IntakeService intake, CartRelayProperties properties, GenericProperties settings, Clock clock) {
        this.intake = intake;
        this.settings = settings;
        this.maxBody = properties.intake().maxBody().toBytes();
        this.clock = clock;
    }

    /** What {@link org.cartrelay.intake.IntakeEndpoints} serves of this source. */
    @Bean
    IntakeSource genericSource() {
        return new IntakeSource(
                SOURCE,
                PATH,
                Map.of("POST", this::receive),
                settings.abandonmentDelay(),
                SECRET,
                IntakeSource.isSet(settings.secret()));
    }

    public ResponseEntity<?> receive(HttpServletRequest request) throws IOException {
        Parsed parsed = parse(request);
        if (parsed.notice() == null) {
            return parsed.answer();
        }
        IntakeService.Receipt receipt = intake.accept(parsed.notice());
        log.info("{}: {}{}", parsed.summary(), receipt.noticeId(), receipt.duplicate() ? " (repeat)" : "");
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("id", receipt.noticeId()));
    }

    /** Verifies, parses, validates and bounds the event without keeping anything. */
    public Parsed parse(HttpServletRequest request) throws IOException {
        if (!IntakeSource.isSet(settings.secret())) {
            throw new SourceDisabledException("generic JSON", SECRET);
        }
        byte[] body = RawBody.read(request, maxBody);
        String refusal =
                GenericSignature.refusal(request, body, settings.secret(), settings.tolerance(), clock.instant());
        if (refusal != null) {
            log.warn("Generic event refused: {}", refusal);
            return refuse(HttpStatus.UNAUTHORIZED, "Signature refused", refusal, null);
        }
        JsonNode tree;
        try {
            tree = IntakeBounds.readTree(body);
        } catch (JsonProcessingException e) {
            return refuse(
                    HttpStatus.BAD_REQUEST,
                    "Unparsable JSON",
                    "The body is not valid JSON: " + e.getOriginalMessage(),
                    null);
        }
        if (tree == null || !tree.isObject()) {
            return refuse(HttpStatus.BAD_REQUEST, "Unparsable JSON", "The body must be one JSON object.", null);
        }
        // numbers first: the schema validator expands an exponent such as 1e999999999 in full
        List<JsonSchemas.Violation> numbers = IntakeBounds.numbers(tree);
        if (!numbers.isEmpty()) {
            return refuse(
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    "Invalid event",
                    numbers.size() + " field(s) hold a number out of bounds.",
                    numbers);
        }
        dropBlanks(tree);
        List<JsonSchemas.Violation> violations = SCHEMA.validate(tree);
        if (!violations.isEmpty()) {
            return refuse(
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    "Invalid event",
                    violations.size() + " field(s) do not match the canonical event schema.",
                    violations);
        }
        ObjectNode event = (ObjectNode) tree;
        if (!event.has("source")) {
            event.put("source", SOURCE);
        }
        if (!event.has("sourceEventId")) {
            event.put("sourceEventId", request.getHeader("webhook-id"));
        }
        if (!event.has("occurredAt")) {
            event.put("occurredAt", clock.instant().toString());
        }
        CanonicalEvent canonical;
        try {
            canonical = EventJson.MAPPER.treeToValue(event, CanonicalEvent.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return refuse(
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    "Invalid event",
                    "The event matches the schema but not the canonical event's types.",
                    null);
        }
        Consent consent = settings.consentDefault().apply(canonical.consent());
        if (consent != canonical.consent()) {
            canonical = new CanonicalEvent(
                    canonical.type(),
                    canonical.source(),
                    canonical.sourceEventId(),
                    canonical.occurredAt(),
                    canonical.checkout(),
                    canonical.order(),
                    canonical.customer(),
                    consent,
                    canonical.attributes());
        }
        List<JsonSchemas.Violation> outOfBounds = IntakeBounds.check(canonical);
        if (!outOfBounds.isEmpty()) {
            return refuse(
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    "Invalid event",
                    outOfBounds.size() + " field(s) are out of bounds.",
                    outOfBounds);
        }
        String sourceEventId = canonical.source() + ":" + canonical.sourceEventId();
        return Parsed.keep(
                Notice.processed(SOURCE, sourceEventId, new String(body, StandardCharsets.UTF_8), canonical),
                "Generic " + canonical.type() + " from " + LogSafe.value(canonical.source()));
    }

    /** Empty strings are fields the buyer did not fill in: they become absent. */
    private static void dropBlanks(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                JsonNode value = fields.next().getValue();
                if (value.isTextual() && value.asText().isBlank()) {
                    fields.remove();
                } else {
                    dropBlanks(value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(GenericIntake::dropBlanks);
        }
    }

    private static Parsed refuse(
            HttpStatus status, String title, String detail, List<JsonSchemas.Violation> violations) {
        return Parsed.answer(IntakeProblems.problem(status, title, detail, violations));
    }
}
