package org.cartrelay.connectors.email;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mail.DefaultJavaMailSender;
import org.apache.camel.component.mail.MailConstants;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.FailureKind;
import org.cartrelay.connectors.PermanentDeliveryException;
import org.cartrelay.connectors.email.MailTemplates.Template;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.privacy.unsubscribe.UnsubscribeKeys;
import org.cartrelay.support.Masking;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * Sends the buyer of an abandoned checkout one follow-up mail per step over SMTP (camel-mail): subject, HTML and
 * text bodies from the step's Mustache templates ({@code <home>/connectors/templates/}, else the hub's own), with a
 * {@code List-Unsubscribe} header. Each step is its own delivery, due {@code after} the abandonment; the steps not
 * yet sent when the cart is recovered are cancelled by the hub. Templates are compiled when the hub starts, so a
 * missing or broken one stops the start-up instead of a mail.
 */
public class EmailConnector implements Connector {

    private static final Logger log = LoggerFactory.getLogger(EmailConnector.class);
    static final String EVENT_HEADER = "X-CartRelay-Event";
    private static final Pattern GREETING = Pattern.compile("bad greeting.*response: ([2-5][0-9][0-9])");

    /** One follow-up: when it is due after the abandonment and what it says. */
    record Step(Duration after, String template, Template subject, Template html, Template text) {}

    private final ConnectorDefinition definition;
    private final List<Step> steps = new ArrayList<>();
    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final boolean starttls;
    private final String from;
    private final String replyTo;
    private final String unsubscribeUrl;
    private final String unsubscribeMailto;
    private final Function<String, String> tokens;

    /**
     * @param publicUrl the hub's public URL: with it, the hub's own one-click link is the unsubscribe URL unless the
     *     file names one; null without
     * @param keys the buyer's unsubscribe token for {@code {token}}; null without the hub's unsubscribe key
     */
    public EmailConnector(
            ConnectorDefinition definition,
            EmailSettings settings,
            Path templates,
            String publicUrl,
            UnsubscribeKeys keys) {
        this.tokens = email -> {
            if (keys == null) {
                throw new IllegalStateException("{token} needs the hub's unsubscribe key");
            }
            return keys.token(email);
        };
        this.definition = definition;
        EmailSettings.Smtp smtp = settings.smtp();
        this.host = smtp.host();
        this.port = smtp.port();
        this.username = smtp.username();
        this.password = smtp.password();
        this.starttls = smtp.starttls();
        this.from = address(settings.from(), "from");
        this.replyTo = settings.replyTo() != null ? address(settings.replyTo(), "replyTo") : null;
        String hubLink = publicUrl == null || publicUrl.isBlank()
                ? null
                : publicUrl.strip().replaceAll("/+$", "") + "/unsubscribe/{token}";
        this.unsubscribeUrl =
                settings.unsubscribe().url() != null ? settings.unsubscribe().url() : hubLink;
        this.unsubscribeMailto = settings.unsubscribe().mailto() != null
                ? settings.unsubscribe().mailto()
                : unsubscribeUrl == null ? bareAddress(from) : null;
        MailTemplates compiled = new MailTemplates(templates);
        for (int i = 0; i < settings.steps().size(); i++) {
            EmailSettings.Step step = settings.steps().get(i);
            steps.add(step(compiled, templates, i, step.after(), step.template(), step.subject()));
        }
    }

    private Step step(
            MailTemplates templates, Path folder, int index, Duration after, String template, String subject) {
        String key = "steps[" + index + "]";
        List<String> files = subject == null
                ? List.of(".html.mustache", ".txt.mustache", ".subject.mustache")
                : List.of(".html.mustache", ".txt.mustache");
        for (String suffix : files) {
            if (!templates.exists(template + suffix)) {
                throw new ConnectorConfigException("Connector file " + definition.file() + ": step " + (index + 1)
                        + " (key '" + key + ".template') names template '" + template + "', but " + template + suffix
                        + " is neither in " + folder + " nor among the hub's own ("
                        + String.join(", ", MailTemplates.shipped()) + ").");
            }
        }
        try {
            return new Step(
                    after,
                    template,
                    subject != null
                            ? templates.inline(subject, key + ".subject")
                            : templates.text(template + ".subject.mustache"),
                    templates.html(template + ".html.mustache"),
                    templates.text(template + ".txt.mustache"));
        } catch (IllegalArgumentException e) {
            throw new ConnectorConfigException("Connector file " + definition.file() + ": step " + (index + 1)
                    + " (key '" + key + ".template') names template '" + template + "', which does not compile: "
                    + e.getMessage().lines().findFirst().orElse("") + ".");
        }
    }

    private String address(String value, String key) {
        try {
            InternetAddress address = new InternetAddress(value, true);
            return address.toString();
        } catch (AddressException e) {
            throw new ConnectorConfigException("Connector file " + definition.file() + ": key '" + key + "' is '"
                    + value + "', which is not an email address; expected e.g. shop@example.com or "
                    + "\"Shop <shop@example.com>\".");
        }
    }

    private static String bareAddress(String address) {
        try {
            return new InternetAddress(address).getAddress();
        } catch (AddressException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public ConnectorDefinition definition() {
        return definition;
    }

    /**
     * An SMTP server's reply: 5xx is permanent (the recipient does not exist, the message was refused: 550, 553,
     * 554), as is a failed login (the connector's credentials are wrong); 421 means the server is unavailable; any
     * other 4xx is retried without blaming the server. A connection that fails is the hub's to judge (down).
     */
    @Override
    public FailureKind failureKind(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AuthenticationFailedException) {
                return FailureKind.PERMANENT;
            }
            int code = smtpReply(cause);
            if (code >= 500) {
                return FailureKind.PERMANENT;
            }
            if (code == 421) {
                return FailureKind.TARGET_DOWN;
            }
            if (code >= 400) {
                return FailureKind.TRANSIENT;
            }
        }
        return null;
    }

    private static int smtpReply(Throwable failure) {
        if (failure instanceof SMTPSendFailedException sent) {
            return sent.getReturnCode();
        }
        if (failure instanceof SMTPAddressFailedException address) {
            return address.getReturnCode();
        }
        if (failure instanceof SMTPSenderFailedException sender) {
            return sender.getReturnCode();
        }
        if (failure instanceof MessagingException && failure.getMessage() != null) {
            // a refused greeting comes as a plain MessagingException: "Got bad greeting …, response: 421 …"
            Matcher reply = GREETING.matcher(failure.getMessage());
            if (reply.find()) {
                return Integer.parseInt(reply.group(1));
            }
        }
        return 0;
    }

    @Override
    public List<Duration> steps(OutboundEvent event) {
        return steps.stream().map(Step::after).toList();
    }

    @Override
    public void addRoutes(RouteBuilder builder) {
        String bean = "cartrelay-mail-" + definition.name();
        builder.getContext().getRegistry().bind(bean, sender());
        builder.from(deliveryUri())
                .routeId(routeId())
                .unmarshal(Connector.outboundEvent())
                .process(this::compose)
                .to("smtp://" + host + ":" + port + "?javaMailSender=#" + bean);
    }

    private DefaultJavaMailSender sender() {
        DefaultJavaMailSender sender = new DefaultJavaMailSender();
        sender.setProtocol("smtp");
        sender.setHost(host);
        sender.setPort(port);
        sender.setUsername(username);
        sender.setPassword(password);
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.auth", Boolean.toString(username != null));
        // STARTTLS on means required: credentials and the buyer's address never go out in clear text
        properties.setProperty("mail.smtp.starttls.enable", Boolean.toString(starttls));
        properties.setProperty("mail.smtp.starttls.required", Boolean.toString(starttls));
        String timeout = Long.toString(definition.timeout().toMillis());
        properties.setProperty("mail.smtp.connectiontimeout", timeout);
        properties.setProperty("mail.smtp.timeout", timeout);
        properties.setProperty("mail.smtp.writetimeout", timeout);
        sender.setJavaMailProperties(properties);
        return sender;
    }

    private void compose(Exchange exchange) {
        OutboundEvent event = exchange.getMessage().getBody(OutboundEvent.class);
        int index = exchange.getMessage().getHeader(STEP, 0, Integer.class);
        if (index >= steps.size()) {
            throw new PermanentDeliveryException("This delivery is step " + (index + 1) + " of the follow-ups, but "
                    + definition.file() + " now has " + steps.size() + " steps.");
        }
        String to = event.email();
        if (to == null) {
            throw new PermanentDeliveryException("The event has no customer email, so no follow-up mail can be sent.");
        }
        Step step = steps.get(index);
        String url = unsubscribeUrl == null ? null : expand(unsubscribeUrl, event);
        String unsubscribe = url != null ? url : "mailto:" + unsubscribeMailto + "?subject=unsubscribe";
        Map<String, Object> model = MailModel.of(event, index, unsubscribe);
        String subject = step.subject().render(model).replaceAll("\\s+", " ").strip();

        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(MailConstants.MAIL_TO, to);
        message.setHeader(MailConstants.MAIL_FROM, from);
        if (replyTo != null) {
            message.setHeader(MailConstants.MAIL_REPLY_TO, replyTo);
        }
        message.setHeader(MailConstants.MAIL_SUBJECT, subject);
        message.setHeader("List-Unsubscribe", listUnsubscribe(url));
        if (url != null && url.startsWith("https://")) {
            // RFC 8058: the receiver's "unsubscribe" button POSTs to the URL, no page to visit
            message.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        message.setHeader(EVENT_HEADER, event.id() + "/" + index);
        message.setHeader(MailConstants.MAIL_CONTENT_TYPE, "text/html; charset=UTF-8");
        message.setHeader(MailConstants.MAIL_ALTERNATIVE_BODY, step.text().render(model));
        message.setBody(step.html().render(model));
        log.info(
                "Follow-up mail '{}' (step {} of {}) for event {} to {}",
                step.template(),
                index + 1,
                steps.size(),
                event.id(),
                Masking.email(to));
    }

    /** RFC 2369: the unsubscribe URL and/or mailto, each in angle brackets. */
    private String listUnsubscribe(String url) {
        List<String> targets = new ArrayList<>();
        if (url != null) {
            targets.add("<" + url + ">");
        }
        if (unsubscribeMailto != null) {
            targets.add("<mailto:" + unsubscribeMailto + "?subject=unsubscribe>");
        }
        return String.join(", ", targets);
    }

    /**
     * Fills {email}, {checkoutId}, {eventId} and {token} (the buyer's signed unsubscribe token) into the unsubscribe
     * URL, URL-encoded.
     */
    private String expand(String template, OutboundEvent event) {
        String url = template.contains("{token}")
                ? template.replace("{token}", encode(tokens.apply(event.email())))
                : template;
        return url.replace("{email}", encode(event.email()))
                .replace(
                        "{checkoutId}",
                        encode(
                                event.checkout() == null
                                        ? null
                                        : event.checkout().id()))
                .replace("{eventId}", encode(event.id()));
    }

    private static String encode(String value) {
        return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
