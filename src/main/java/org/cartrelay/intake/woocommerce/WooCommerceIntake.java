package org.cartrelay.intake.woocommerce;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
import org.cartrelay.support.FormBody;
import org.cartrelay.support.LogSafe;
import org.cartrelay.support.Masking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code /webhooks/woocommerce}: CartFlows posts unsigned forms, so a shared token in the query parameter
 * {@code token} or the header {@code X-CartRelay-Token} is required, compared in constant time.
 */
@Component
public class WooCommerceIntake {

    static final String PATH = "/webhooks/woocommerce";
    private static final String SECRET = "cartrelay.sources.woocommerce.token";

    private static final Logger log = LoggerFactory.getLogger(WooCommerceIntake.class);

    private final IntakeService intake;
    private final WooCommerceProperties settings;
    private final long maxBody;
    private final WooCommerceMapper mapper;
    private final Clock clock;

    public WooCommerceIntake(
            IntakeService intake, CartRelayProperties properties, WooCommerceProperties settings, Clock clock) {
        this.intake = intake;
        this.settings = settings;
        this.maxBody = properties.intake().maxBody().toBytes();
        this.mapper = new WooCommerceMapper(settings.currency(), settings.consentField(), settings.consentDefault());
        this.clock = clock;
    }

    /** What {@link org.cartrelay.intake.IntakeEndpoints} serves of this source. */
    @Bean
    IntakeSource wooCommerceSource() {
        return new IntakeSource(
                WooCommerceMapper.SOURCE,
                PATH,
                Map.of("POST", this::receive),
                settings.abandonmentDelay(),
                SECRET,
                IntakeSource.isSet(settings.token()));
    }

    public ResponseEntity<?> receive(HttpServletRequest request) throws IOException {
        return intake.acceptAndAnswerOk(parse(request), log);
    }

    /** Checks the token and maps the form without keeping anything. */
    public Parsed parse(HttpServletRequest request) throws IOException {
        String expected = settings.token();
        if (!IntakeSource.isSet(expected)) {
            throw new SourceDisabledException("WooCommerce", SECRET);
        }
        // the body is read before any request parameter, so the servlet container never parses the form itself
        byte[] body = RawBody.read(request, maxBody);
        String given = request.getHeader("X-CartRelay-Token");
        if (given == null) {
            given = FormBody.parse(request.getQueryString()).get("token");
        }
        if (given == null || !Digests.sameSecret(expected, given)) {
            log.warn("WooCommerce webhook refused: {}", given == null ? "no token" : "wrong token");
            return Parsed.answer(IntakeProblems.problem(
                    HttpStatus.UNAUTHORIZED,
                    "Token refused",
                    "A valid token is required in the query parameter 'token' or the header X-CartRelay-Token."));
        }
        FormBody form = FormBody.parse(body);
        Notice notice =
                IntakeBounds.enforce(mapper.map(form, new String(body, StandardCharsets.UTF_8), clock.instant()));
        return Parsed.keep(
                notice,
                "WooCommerce " + LogSafe.value(form.get("order_status")) + " for " + Masking.email(form.get("email")));
    }
}
