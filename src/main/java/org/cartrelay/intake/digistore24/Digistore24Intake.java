package org.cartrelay.intake.digistore24;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.intake.IntakeBounds;
import org.cartrelay.intake.IntakeEndpoints;
import org.cartrelay.intake.IntakeProblems;
import org.cartrelay.intake.IntakeService;
import org.cartrelay.intake.IntakeSource;
import org.cartrelay.intake.Notice;
import org.cartrelay.intake.Parsed;
import org.cartrelay.intake.RawBody;
import org.cartrelay.intake.SourceDisabledException;
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
 * {@code /ipn/digistore24}: form-encoded IPN signed with {@code sha_sign}; answers {@code OK}. Served by
 * {@link IntakeEndpoints}.
 */
@Component
public class Digistore24Intake {

    private static final Logger log = LoggerFactory.getLogger(Digistore24Intake.class);
    static final String PATH = "/ipn/digistore24";
    private static final String SECRET = "cartrelay.sources.digistore24.passphrase";

    private final IntakeService intake;
    private final Digistore24Properties settings;
    private final long maxBody;
    private final Digistore24Mapper mapper;
    private final Clock clock;

    public Digistore24Intake(
            IntakeService intake, CartRelayProperties properties, Digistore24Properties settings, Clock clock) {
        this.intake = intake;
        this.settings = settings;
        this.maxBody = properties.intake().maxBody().toBytes();
        this.mapper = new Digistore24Mapper(settings.zone(), settings.checkoutEvents(), settings.consentDefault());
        this.clock = clock;
    }

    /** What {@link org.cartrelay.intake.IntakeEndpoints} serves of this source. */
    @Bean
    IntakeSource digistore24Source() {
        return new IntakeSource(
                Digistore24Mapper.SOURCE,
                PATH,
                Map.of("GET", request -> probe(), "POST", this::receive),
                settings.abandonmentDelay(),
                SECRET,
                IntakeSource.isSet(settings.passphrase()));
    }

    /** Digistore24 checks a new endpoint with a GET and wants 200, no redirect. */
    public ResponseEntity<String> probe() {
        passphrase();
        return IntakeService.ok();
    }

    public ResponseEntity<?> receive(HttpServletRequest request) throws IOException {
        return intake.acceptAndAnswerOk(parse(request), log);
    }

    /** Verifies and maps the notification without keeping anything. */
    public Parsed parse(HttpServletRequest request) throws IOException {
        String passphrase = passphrase();
        byte[] bytes = RawBody.read(request, maxBody);
        FormBody form = FormBody.parse(bytes);
        String signature = form.asMap().getOrDefault("sha_sign", form.asMap().get("SHASIGN"));
        if (!Digistore24Signature.verify(form.pairs(), passphrase, signature)) {
            log.warn("Digistore24 notification refused: {}", signature == null ? "no sha_sign" : "sha_sign mismatch");
            return Parsed.answer(IntakeProblems.problem(
                    HttpStatus.FORBIDDEN, "Signature refused", "The sha_sign does not match this notification."));
        }
        if ("connection_test".equals(form.get("event"))) {
            return Parsed.answer(IntakeService.ok());
        }
        Notice notice =
                IntakeBounds.enforce(mapper.map(form, new String(bytes, StandardCharsets.UTF_8), clock.instant()));
        return Parsed.keep(
                notice, "Digistore24 " + LogSafe.value(form.get("event")) + " for " + Masking.email(form.get("email")));
    }

    private String passphrase() {
        String passphrase = settings.passphrase();
        if (!IntakeSource.isSet(passphrase)) {
            throw new SourceDisabledException("Digistore24", SECRET);
        }
        return passphrase;
    }
}
