package org.cartrelay.connectors.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.Mails;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;

import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/**
 * Where a step's templates come from: a fresh home without {@code connectors/templates/} mails with the templates
 * shipped in the hub, a home file of the same name wins over the shipped one, and a template found in neither place
 * stops the start with one sentence naming the connector file, the step and the template.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MailTemplateLookupTest {

    private GreenMail smtp;

    @BeforeAll
    void startSmtp() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
    }

    @AfterAll
    void stopSmtp() {
        smtp.stop();
    }

    /** The type's defaults: one step, the template reminder, at once. */
    private String defaultConnector() {
        return """
                type: email
                smtp: {host: 127.0.0.1, port: %d, starttls: false}
                from: "Demo Shop <shop@example.com>"
                """.formatted(smtp.getSmtp().getPort());
    }

    /** The follow-up mail a hub on this home with the default connector sends for a checkout of its own. */
    private MimeMessage followUpFromAHubOn(Path home, String key) {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database)
                        .home(home)
                        .property("cartrelay.abandonment.delay", "0s")
                        .connector("follow-up", defaultConnector())
                        .start()) {
            Checkouts.start(hub, key, "p-1", "49.00", "DE");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Mails.to(smtp, key + "@example.com").size() == 1);
            return Mails.to(smtp, key + "@example.com").get(0);
        }
    }

    @Test
    void aFreshHomeMailsWithTheShippedTemplates(@TempDir Path home) throws Exception {
        MimeMessage mail = followUpFromAHubOn(home, "fresh");

        assertThat(home.resolve("connectors/templates")).doesNotExist();
        assertThat(mail.getSubject()).isEqualTo("Test, you left something in your cart");
        assertThat(body(mail)).contains("you left these in your cart").contains("1 × Tea");
    }

    @Test
    void aHomeTemplateOverridesTheShippedOneOfTheSameName(@TempDir Path home) throws Exception {
        Path templates = Files.createDirectories(home.resolve("connectors/templates"));
        Files.writeString(templates.resolve("reminder.subject.mustache"), "Still thinking it over, {{firstName}}?");

        MimeMessage mail = followUpFromAHubOn(home, "override");

        assertThat(mail.getSubject()).isEqualTo("Still thinking it over, Test?");
        // the files the home does not hold still come from the hub
        assertThat(body(mail)).contains("you left these in your cart");
    }

    @Test
    void aTemplateFoundNowhereStopsTheStartNamingTheFileTheStepAndTheTemplate(@TempDir Path home) throws Exception {
        try (TestDatabase database = TestDatabase.create()) {
            Throwable thrown = catchThrowable(() -> TestHub.on(database)
                    .home(home)
                    .connector("follow-up", defaultConnector() + """
                            steps:
                              - {after: 1h, template: reminder}
                              - {after: 2d, template: winback}
                            """)
                    .start()
                    .close());

            Throwable cause = thrown;
            while (cause != null && !(cause instanceof ConnectorConfigException)) {
                cause = cause.getCause();
            }
            assertThat(cause).as("a ConnectorConfigException behind %s", thrown).isNotNull();
            assertThat(cause.getMessage())
                    .isEqualTo("Connector file " + home.resolve("connectors/follow-up.yaml")
                            + ": step 2 (key 'steps[1].template') names template 'winback', but winback.html.mustache"
                            + " is neither in " + home.resolve("connectors/templates")
                            + " nor among the hub's own (coupon, info, reminder).");
        }
    }

    /** The HTML part of a multipart/alternative mail. */
    private static String body(MimeMessage mail) throws Exception {
        List<String> parts = new ArrayList<>();
        collect((MimeMultipart) mail.getContent(), parts);
        return parts.stream().filter(p -> p.contains("<html>")).findFirst().orElseThrow();
    }

    private static void collect(MimeMultipart multipart, List<String> parts) throws Exception {
        for (int i = 0; i < multipart.getCount(); i++) {
            Object content = multipart.getBodyPart(i).getContent();
            if (content instanceof MimeMultipart nested) {
                collect(nested, parts);
            } else {
                parts.add(content.toString());
            }
        }
    }
}
