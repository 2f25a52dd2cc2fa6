package org.cartrelay.connectors.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorLoader;
import org.cartrelay.connectors.ConnectorType;
import org.cartrelay.connectors.http.VendorEvents;
import org.cartrelay.connectors.http.VendorEvents.AttemptRow;
import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.event.Checkout;
import org.cartrelay.event.Customer;
import org.cartrelay.event.Item;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.store.DeadLetterStore;
import org.cartrelay.store.DeadLetterStore.DeadLetter;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.Mails;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ScriptedSmtpServer;
import org.cartrelay.testing.Teardown;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/**
 * The email connector against a GreenMail SMTP server, through one whole hub with the shipped
 * templates: the follow-up mail (subject, HTML and text bodies, links, headers), its steps in time (moved with the
 * hub's clock) and a recovery that cancels the steps not yet sent; consent and event defaults of the type. Against
 * scripted SMTP servers: a permanent 5xx reply dead-letters the mail at once, a 451 is retried without blaming the
 * server, and a 421 greeting is retried and counts toward the breaker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmailConnectorTest {

    private GreenMail smtp;
    /** Refuses recipients named unknown-*, and greylists those named greylisted-* once. */
    private ScriptedSmtpServer scripted;
    /** Greets its first connection with 421. */
    private ScriptedSmtpServer busy;

    private TestDatabase database;
    private TestHub hub;

    @BeforeAll
    void startHub() throws Exception {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("shop", "smtp-pa55"));
        smtp.start();
        scripted = new ScriptedSmtpServer()
                .rcpt((recipient, nth) -> recipient.startsWith("unknown-")
                        ? "550 5.1.1 <" + recipient
                                + ">: Recipient address rejected: User unknown in virtual mailbox table"
                        : recipient.startsWith("greylisted-") && nth == 1
                                ? "451 4.7.1 <" + recipient
                                        + ">: Recipient address rejected: Greylisted, try again later"
                                : "250 2.1.5 OK");
        busy = new ScriptedSmtpServer()
                .greeting(connection -> connection == 1
                        ? "421 4.3.2 Service not available, closing transmission channel"
                        : "220 busy.test ESMTP");
        Path home = Files.createTempDirectory("cartrelay-email-home");
        database = TestDatabase.create();
        hub = TestHub.on(database)
                .home(home)
                .property("cartrelay.abandonment.delay", "0s")
                .property("SMTP_PASSWORD", "smtp-pa55")
                .connector("followup", """
                        type: email
                        smtp: {host: 127.0.0.1, port: %d, username: shop, password: "${SMTP_PASSWORD}", starttls: false}
                        from: "Demo Shop <shop@example.com>"
                        replyTo: help@example.com
                        unsubscribe:
                          url: "https://shop.example.com/unsubscribe?email={email}&cart={checkoutId}"
                          mailto: unsubscribe@example.com
                        filter: {products: ["p-mail"]}
                        steps:
                          - {after: 0s, template: reminder}
                          - {after: 24h, template: info}
                          - {after: 72h, template: coupon, subject: "Last call for your cart, {{firstName}}"}
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                        """.formatted(smtp.getSmtp().getPort()))
                .connector("relay", relay("p-relay", scripted.port()))
                .connector("greylist", relay("p-greylist", scripted.port()))
                .connector("busy", relay("p-busy", busy.port()))
                .start();
    }

    @AfterAll
    void stopHub() throws Exception {
        Teardown.inOrder(hub, database, smtp::stop, scripted, busy);
    }

    /** A connector to a scripted server: plain SMTP, no login, the shipped reminder as its one step. */
    private static String relay(String product, int port) {
        return """
                type: email
                smtp: {host: 127.0.0.1, port: %d, starttls: false}
                from: "Demo Shop <shop@example.com>"
                filter: {products: ["%s"]}
                retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                """.formatted(port, product);
    }

    /** A started checkout with a resume link and an item name that needs HTML escaping. */
    private void start(String key, boolean consent) {
        start(key, consent, "p-mail");
    }

    private void start(String key, boolean consent, String product) {
        var response = Notices.post(hub, "start-" + key, """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-%s",
                 "checkout": {"id": "cart-%s", "currency": "EUR", "total": "49.00",
                              "resumeUrl": "https://shop.example.com/cart?c=%s&step=pay",
                              "items": [{"productId": "%s", "name": "Tea <Earl Grey> & Co", "quantity": 2,
                                         "unitPrice": "24.50"}]},
                 "customer": {"email": "%s@example.com", "firstName": "Ada", "lastName": "Buyer",
                              "address": {"city": "Berlin", "country": "DE"}},
                 "consent": {"newsletter": %s}}
                """.formatted(key, key, key, product, key, consent));
        assertThat(response.statusCode()).isEqualTo(202);
    }

    /**
     * Moves the hub's clock once no delivery is in flight: a jump of hours over a leased delivery would expire its
     * lease, and the lane would send it a second time, as it must after a worker died.
     */
    private void advanceWhenNothingIsInFlight(Duration by) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count("select count(*) from delivery where lease_token is not null") == 0);
        hub.clock().advance(by);
    }

    private List<MimeMessage> to(String key) {
        return Mails.to(smtp, key + "@example.com");
    }

    private long mails(String key) throws Exception {
        return to(key).size();
    }

    private List<String> stepStatuses(String key) {
        return hub.jdbc()
                .sql("select d.status from delivery d join outbound_event e on e.id = d.event_id "
                        + "where d.connector = 'followup' and e.checkout_id in (select id from checkout where checkout_ref = ?) "
                        + "order by d.step")
                .param("cart-" + key)
                .query(String.class)
                .list();
    }

    private static String part(MimeMessage message, String type) throws Exception {
        MimeMultipart multipart = (MimeMultipart) message.getContent();
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.getContent() instanceof MimeMultipart nested) {
                for (int j = 0; j < nested.getCount(); j++) {
                    if (nested.getBodyPart(j).isMimeType(type)) {
                        return (String) nested.getBodyPart(j).getContent();
                    }
                }
            } else if (part.isMimeType(type)) {
                return (String) part.getContent();
            }
        }
        throw new AssertionError("no " + type + " part in the mail");
    }

    @Test
    void theFollowUpMailHasTheSubjectBothBodiesTheLinksAndTheHeaders() throws Exception {
        start("mail-1", true);

        await().atMost(Duration.ofSeconds(20)).until(() -> mails("mail-1") == 1);
        MimeMessage mail = to("mail-1").get(0);
        assertThat(mail.getSubject()).isEqualTo("Ada, you left something in your cart");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("Demo Shop <shop@example.com>");
        assertThat(mail.getReplyTo()[0].toString()).isEqualTo("help@example.com");
        assertThat(mail.getHeader("List-Unsubscribe")[0])
                .isEqualTo("<https://shop.example.com/unsubscribe?email=mail-1%40example.com&cart=cart-mail-1>, "
                        + "<mailto:unsubscribe@example.com?subject=unsubscribe>");
        assertThat(mail.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
        String eventId = hub.jdbc()
                .sql("select id from outbound_event where type = 'checkout.abandoned' and email = ?")
                .param("mail-1@example.com")
                .query(String.class)
                .single();
        assertThat(mail.getHeader(EmailConnector.EVENT_HEADER)[0]).isEqualTo(eventId + "/0");
        // nothing of the hub's exchange headers leaks into the mail
        assertThat(java.util.Collections.list(mail.getAllHeaders()))
                .noneMatch(
                        h -> h.getName().startsWith("CartRelay") || h.getName().startsWith("Camel"));

        String html = part(mail, "text/html");
        assertThat(html)
                .contains("<p>Hello Ada,</p>")
                .contains("2 × Tea &lt;Earl Grey&gt; &amp; Co")
                .doesNotContain("<Earl Grey>")
                .contains("49.00 EUR")
                .contains("<a href=\"https://shop.example.com/cart?c=mail-1&amp;step=pay\">Complete your order</a>")
                .contains(
                        "href=\"https://shop.example.com/unsubscribe?email=mail-1%40example.com&amp;cart=cart-mail-1\"");
        String text = part(mail, "text/plain");
        assertThat(text)
                .contains("Hello Ada,")
                .contains("2 x Tea <Earl Grey> & Co  49.00 EUR")
                .contains("Total: 49.00 EUR")
                .contains("Complete your order: https://shop.example.com/cart?c=mail-1&step=pay")
                .contains(
                        "Unsubscribe: https://shop.example.com/unsubscribe?email=mail-1%40example.com&cart=cart-mail-1")
                .doesNotContain("&amp;")
                .doesNotContain("<p>");
    }

    @Test
    void laterStepsGoOutWhenDueAndARecoveredCartCancelsTheStepsNotYetSent() throws Exception {
        start("steps-kept", true);
        start("steps-recovered", true);
        await().atMost(Duration.ofSeconds(20)).until(() -> mails("steps-kept") == 1 && mails("steps-recovered") == 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> stepStatuses("steps-recovered").equals(List.of("delivered", "pending", "pending")));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count(
                                "select count(*) from checkout where checkout_ref = 'cart-steps-recovered' and status = 'abandoned'")
                        == 1);

        Checkouts.complete(hub, "steps-recovered", "49.00");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> stepStatuses("steps-recovered").equals(List.of("delivered", "cancelled", "cancelled")));

        // a day later the kept cart's second mail goes out, and the recovered cart's does not
        advanceWhenNothingIsInFlight(Duration.ofHours(24).plusMinutes(1));
        await().atMost(Duration.ofSeconds(20)).until(() -> mails("steps-kept") == 2);
        assertThat(to("steps-kept").get(1).getSubject()).isEqualTo("Still thinking it over? Your cart is saved");
        assertThat(part(to("steps-kept").get(1), "text/plain")).contains("your cart is still saved");

        // three days after: the last step, with the subject from the file
        advanceWhenNothingIsInFlight(Duration.ofHours(48));
        await().atMost(Duration.ofSeconds(20)).until(() -> mails("steps-kept") == 3);
        assertThat(to("steps-kept").get(2).getSubject()).isEqualTo("Last call for your cart, Ada");
        assertThat(part(to("steps-kept").get(2), "text/plain")).contains("this is the last reminder about your cart");
        // the attempt is recorded after the mail left, so the last row may still be on its way
        await().atMost(Duration.ofSeconds(10))
                .until(() -> stepStatuses("steps-kept").equals(List.of("delivered", "delivered", "delivered")));

        assertThat(mails("steps-recovered")).isEqualTo(1);
        assertThat(stepStatuses("steps-recovered")).containsExactly("delivered", "cancelled", "cancelled");
        // the type listens to checkout.abandoned only: the recovery made no delivery of its own
        assertThat(hub.count("select count(*) from delivery d join outbound_event e on e.id = d.event_id "
                        + "where d.connector = 'followup' and e.type = 'checkout.recovered'"))
                .isZero();
    }

    @Test
    void aBuyerWithoutNewsletterConsentGetsNoMail() throws Exception {
        start("no-consent", false);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> stepStatuses("no-consent").equals(List.of("suppressed")));
        assertThat(mails("no-consent")).isZero();
    }

    private CircuitBreaker breaker(String connector) {
        return hub.bean(ConnectorRuntimes.class).breakers().circuitBreaker(connector);
    }

    private CircuitBreaker.State circuitState(String connector) {
        return hub.bean(ConnectorRuntimes.class).get(connector).orElseThrow().circuitState();
    }

    @Test
    void aPermanent550ToRcptToIsDeadLetteredAtOnceAndLeavesTheBreakerClosed() {
        start("unknown-1", true, "p-relay");
        String eventId = VendorEvents.abandonedEventOf(hub, "unknown-1");

        DeadLetter letter = VendorEvents.awaitDeadLetter(hub, "relay");
        assertThat(letter.eventId()).isEqualTo(eventId);
        assertThat(letter.attempts()).isEqualTo(1);
        assertThat(letter.reason())
                .startsWith("Not retried (replay it once the cause is fixed): SendFailedException: Invalid Addresses")
                .contains("550 5.1.1");
        assertThat(letter.attemptLog())
                .extracting(DeadLetterStore.AttemptRow::outcome)
                .containsExactly("dead");
        assertThat(VendorEvents.delivery(hub, "relay", eventId).status()).isEqualTo("dead");
        assertThat(scripted.rcptsTo("unknown-1@example.com")).hasSize(1);
        assertThat(scripted.messagesTo("unknown-1@example.com")).isZero();
        // the server refused the recipient, it is not down
        assertThat(circuitState("relay")).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker("relay").getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void aTemporary451ToRcptToIsRetriedWithoutCountingTowardTheBreaker() {
        start("greylisted-1", true, "p-greylist");
        String eventId = VendorEvents.abandonedEventOf(hub, "greylisted-1");

        VendorEvents.awaitDelivered(hub, "greylist", eventId);
        assertThat(VendorEvents.attempts(hub, "greylist", eventId))
                .extracting(AttemptRow::outcome)
                .containsExactly("retry", "delivered");
        assertThat(scripted.rcptsTo("greylisted-1@example.com")).hasSize(2);
        assertThat(scripted.messagesTo("greylisted-1@example.com")).isEqualTo(1);
        assertThat(circuitState("greylist")).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker("greylist").getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(breaker("greylist").getMetrics().getNumberOfSuccessfulCalls())
                .isEqualTo(1);
    }

    @Test
    void aServerThatGreetsWith421IsRetriedAndCountsTowardTheBreaker() {
        start("busy-1", true, "p-busy");
        String eventId = VendorEvents.abandonedEventOf(hub, "busy-1");

        VendorEvents.awaitDelivered(hub, "busy", eventId);
        assertThat(VendorEvents.attempts(hub, "busy", eventId))
                .extracting(AttemptRow::outcome)
                .containsExactly("retry", "delivered");
        assertThat(busy.connections()).isEqualTo(2);
        assertThat(busy.messagesTo("busy-1@example.com")).isEqualTo(1);
        // 421: the server is unavailable, which is what the breaker counts
        assertThat(breaker("busy").getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
        assertThat(breaker("busy").getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    }

    @Test
    void theShippedTemplatesShowTheCouponAndTheResumeLink(@TempDir Path folder) {
        // a folder without templates: the hub's own
        MailTemplates templates = new MailTemplates(folder);
        OutboundEvent event = new OutboundEvent(
                "evt_1",
                "checkout.abandoned",
                "test-shop",
                "s-1",
                Instant.now(),
                new Checkout(
                        "c-1",
                        null,
                        null,
                        "USD",
                        new BigDecimal("19.90"),
                        List.of(new Item("p-1", "Mug", 1, new BigDecimal("19.90")))),
                new Customer("ada@example.com", "Ada", null, null, null, null),
                null,
                Map.of(),
                new OutboundEvent.Abandonment(
                        2,
                        "high",
                        List.of("repeat-abandoner"),
                        "https://shop.example.com/r?c=c-1",
                        "COMEBACK10",
                        Instant.now()),
                null);
        Map<String, Object> model = MailModel.of(event, 2, "mailto:shop@example.com?subject=unsubscribe");

        assertThat(templates.text("coupon.subject.mustache").render(model).strip())
                .isEqualTo("A little something for your cart: COMEBACK10");
        assertThat(templates.html("coupon.html.mustache").render(model))
                .contains("<strong>COMEBACK10</strong>")
                .contains("<a href=\"https://shop.example.com/r?c=c-1\">Complete your order</a>")
                .contains("1 × Mug")
                .contains("19.90 USD");
        assertThat(templates.text("reminder.txt.mustache").render(model))
                .contains("Use the code COMEBACK10 at checkout.")
                .contains("Complete your order: https://shop.example.com/r?c=c-1");
    }

    @Test
    void theTypeDefaultsToAbandonedEventsAndConsentAndRefusesRecoveredEvents(@TempDir Path folder) throws Exception {
        ConnectorLoader loader = new ConnectorLoader(new MockEnvironment());
        ConnectorDefinition defaults = loader.load(Files.writeString(folder.resolve("mail.yaml"), """
                type: email
                smtp: {host: smtp.example.com}
                from: shop@example.com
                """));
        assertThat(defaults.events()).containsExactly("checkout.abandoned");
        assertThat(defaults.requireConsent()).isTrue();

        ConnectorDefinition explicit = loader.load(Files.writeString(folder.resolve("open.yaml"), """
                type: email
                smtp: {host: smtp.example.com}
                from: shop@example.com
                requireConsent: false
                """));
        assertThat(explicit.requireConsent()).isFalse();

        Path recovered = Files.writeString(folder.resolve("recovered.yaml"), """
                type: email
                smtp: {host: smtp.example.com}
                from: shop@example.com
                events: [checkout.recovered]
                """);
        assertThat(catchThrowable(() -> loader.load(recovered)))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageStartingWith("Connector file " + recovered + ": key 'events[0]'");
    }

    @Test
    void aStepWhoseTemplateIsMissingStopsTheStartNamingTheKeyAndTheFile(@TempDir Path home) throws Exception {
        Path file = Files.writeString(home.resolve("mail.yaml"), """
                type: email
                smtp: {host: smtp.example.com}
                from: shop@example.com
                steps:
                  - {after: 1h, template: reminder}
                  - {after: 2d, template: winback}
                """);
        ConnectorDefinition definition = new ConnectorLoader(new MockEnvironment()).load(file);

        Throwable thrown = catchThrowable(() -> ConnectorType.of(
                        "email",
                        EmailSettings.class,
                        (d, s) -> new EmailConnector(d, s, home.resolve("connectors/templates"), null, null))
                .create(definition));
        assertThat(thrown)
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessage("Connector file " + file + ": step 2 (key 'steps[1].template') names template 'winback', "
                        + "but winback.html.mustache is neither in " + home.resolve("connectors/templates")
                        + " nor among the hub's own (coupon, info, reminder).");
    }
}
