package org.cartrelay.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.EventJson;
import org.cartrelay.intake.digistore24.Digistore24Intake;
import org.cartrelay.intake.digistore24.Digistore24Properties;
import org.cartrelay.intake.generic.GenericIntake;
import org.cartrelay.intake.generic.GenericProperties;
import org.cartrelay.intake.shopify.ShopifyIntake;
import org.cartrelay.intake.shopify.ShopifyProperties;
import org.cartrelay.intake.woocommerce.WooCommerceIntake;
import org.cartrelay.intake.woocommerce.WooCommerceProperties;
import org.cartrelay.support.EmailAddress;
import org.cartrelay.testing.Fixtures;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * Each intake's verify-and-parse step on mutated fixtures signed with the test secrets (Mutations): whatever comes
 * in, the answer is the documented refusal with a problem body, or a notice the store can keep as it is; never an
 * exception that would be a 500. Nothing is stored here, so it runs without a database (and only in the H2 run of
 * the build). Tries: -Dcartrelay.fuzz.tries=N (README.md, "Test it").
 */
class IntakeFuzzTest {

    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(Mutations.NOW), ZoneOffset.UTC);
    private static final Binder SETTINGS = new Binder(new MapConfigurationPropertySource(Map.of(
            "cartrelay.sources.digistore24.passphrase", Fixtures.DIGISTORE24_PASSPHRASE,
            "cartrelay.sources.shopify.secret", Fixtures.SHOPIFY_SECRET,
            "cartrelay.sources.generic.secret", Fixtures.GENERIC_SECRET,
            "cartrelay.sources.woocommerce.token", Mutations.WOO_TOKEN,
            "cartrelay.sources.woocommerce.currency", "USD")));
    private static final CartRelayProperties PROPERTIES = SETTINGS.bindOrCreate("cartrelay", CartRelayProperties.class);

    // parse() keeps nothing, so the intakes run here without their IntakeService
    private static final Digistore24Intake DIGISTORE24 = new Digistore24Intake(
            null,
            PROPERTIES,
            SETTINGS.bindOrCreate("cartrelay.sources.digistore24", Digistore24Properties.class),
            CLOCK);
    private static final ShopifyIntake SHOPIFY = new ShopifyIntake(
            null, PROPERTIES, SETTINGS.bindOrCreate("cartrelay.sources.shopify", ShopifyProperties.class), CLOCK);
    private static final WooCommerceIntake WOOCOMMERCE = new WooCommerceIntake(
            null,
            PROPERTIES,
            SETTINGS.bindOrCreate("cartrelay.sources.woocommerce", WooCommerceProperties.class),
            CLOCK);
    private static final GenericIntake GENERIC = new GenericIntake(
            null, PROPERTIES, SETTINGS.bindOrCreate("cartrelay.sources.generic", GenericProperties.class), CLOCK);

    @Property
    void everyIntakeAnswersMutatedInputWithARefusalOrAKeepableNotice(@ForAll long seed) {
        Mutations.Request request = Mutations.any(seed);
        String kind = check(request);
        Statistics.collect(request.source(), kind);
    }

    /** Runs one request through its intake's parse step; the kind of answer it got. */
    static String check(Mutations.Request request) {
        Parsed parsed;
        try {
            parsed = intake(request.source()).handle(servletRequest(request));
        } catch (RuntimeException e) {
            ResponseEntity<?> refusal = IntakeErrors.refusal(e);
            if (refusal == null) {
                throw new AssertionError("would be a 500 for " + request.source() + ": " + e, e);
            }
            parsed = Parsed.answer(refusal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (parsed.notice() != null) {
            assertKeepable(request, parsed.notice());
            return parsed.notice().outcome().name().toLowerCase();
        }
        ResponseEntity<?> answer = parsed.answer();
        int status = answer.getStatusCode().value();
        if (status == 200) {
            // Digistore24's connection test is answered without being kept
            assertThat(request.source()).isEqualTo("digistore24");
            assertThat(answer.getBody()).isEqualTo("OK");
            return "connection_test";
        }
        assertThat(Mutations.refusals(request.source()))
                .as("refusals of %s", request.source())
                .contains(status);
        assertThat(answer.getBody()).isInstanceOf(ProblemDetail.class);
        ProblemDetail problem = (ProblemDetail) answer.getBody();
        assertThat(problem.getStatus()).isEqualTo(status);
        assertThat(problem.getTitle()).isNotBlank();
        assertThat(problem.getDetail()).isNotBlank();
        return Integer.toString(status);
    }

    /** What the notice store and the lifecycle will do with the notice must work: its columns and its JSON. */
    private static void assertKeepable(Mutations.Request request, Notice notice) {
        assertThat(notice.source()).isEqualTo(request.source());
        assertThat(notice.sourceEventId()).isNotNull().hasSizeLessThanOrEqualTo(255);
        assertThat(notice.rawBody()).isEqualTo(new String(request.body(), StandardCharsets.UTF_8));
        if (notice.reason() != null) {
            assertThat(notice.reason()).hasSizeLessThanOrEqualTo(1000);
        }
        CanonicalEvent event = notice.event();
        if (notice.outcome() == Notice.Outcome.PROCESSED) {
            assertThat(event).isNotNull();
        }
        if (event == null) {
            return;
        }
        assertThat(event.type()).isIn(CanonicalEvent.CHECKOUT_STARTED, CanonicalEvent.ORDER_COMPLETED);
        assertThat(IntakeBounds.check(event)).isEmpty();
        if (event.email() != null && !request.source().equals("generic")) {
            assertThat(EmailAddress.isValid(event.email())).as(event.email()).isTrue();
        } else if (event.email() != null) {
            // the generic schema's email format, which takes international addresses too
            assertThat(event.email()).contains("@").hasSizeLessThanOrEqualTo(254);
        }
        if (CanonicalEvent.CHECKOUT_STARTED.equals(event.type())) {
            assertThat(event.email()).isNotNull();
        }
        String json = EventJson.write(event);
        // what is kept is no larger than what came in, give or take the canonical field names
        assertThat(json.length()).isLessThanOrEqualTo(2 * request.body().length + 4096);
        assertThat(EventJson.read(json, CanonicalEvent.class)).isEqualTo(event);
    }

    private interface Intake {
        Parsed handle(MockHttpServletRequest request) throws IOException;
    }

    private static Intake intake(String source) {
        return switch (source) {
            case "digistore24" -> DIGISTORE24::parse;
            case "shopify" -> SHOPIFY::parse;
            case "woocommerce" -> WOOCOMMERCE::parse;
            default -> GENERIC::parse;
        };
    }

    private static MockHttpServletRequest servletRequest(Mutations.Request request) {
        int question = request.target().indexOf('?');
        String path = question < 0 ? request.target() : request.target().substring(0, question);
        MockHttpServletRequest servlet = new MockHttpServletRequest("POST", path);
        servlet.setServletPath(path);
        if (question >= 0) {
            servlet.setQueryString(request.target().substring(question + 1));
        }
        request.headers().forEach(servlet::addHeader);
        servlet.setContent(request.body());
        return servlet;
    }
}
