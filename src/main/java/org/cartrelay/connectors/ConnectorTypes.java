package org.cartrelay.connectors;

import java.nio.file.Path;
import java.time.Clock;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.connectors.email.EmailConnector;
import org.cartrelay.connectors.email.EmailSettings;
import org.cartrelay.connectors.freshdesk.FreshdeskConnector;
import org.cartrelay.connectors.freshdesk.FreshdeskSettings;
import org.cartrelay.connectors.http.ExternalRefs;
import org.cartrelay.connectors.hubspot.HubSpotConnector;
import org.cartrelay.connectors.hubspot.HubSpotSettings;
import org.cartrelay.connectors.kafka.KafkaConnector;
import org.cartrelay.connectors.kafka.KafkaSettings;
import org.cartrelay.connectors.klaviyo.KlaviyoConnector;
import org.cartrelay.connectors.klaviyo.KlaviyoSettings;
import org.cartrelay.connectors.mailchimp.MailchimpConnector;
import org.cartrelay.connectors.mailchimp.MailchimpSettings;
import org.cartrelay.connectors.route.RouteConnector;
import org.cartrelay.connectors.route.RouteSettings;
import org.cartrelay.connectors.sql.SqlConnector;
import org.cartrelay.connectors.sql.SqlDataSources;
import org.cartrelay.connectors.sql.SqlSettings;
import org.cartrelay.connectors.webhook.WebhookConnector;
import org.cartrelay.connectors.webhook.WebhookSettings;
import org.cartrelay.connectors.zendesk.ZendeskConnector;
import org.cartrelay.connectors.zendesk.ZendeskSettings;
import org.cartrelay.privacy.unsubscribe.UnsubscribeKeys;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The connector types this hub provides, one bean each: the name in {@code type:}, the settings record its keys bind
 * to, and the connector's constructor, given the collaborators it needs as bean method parameters. A new type is a
 * package (connector and settings record), a schema fragment {@code schemas/connectors/<name>.schema.json}, a page
 * {@code docs/connectors/<name>.md}, an example {@code connectors/examples/<name>.yaml}, and one bean here.
 */
@Configuration(proxyBeanMethods = false)
class ConnectorTypes {

    @Bean
    ConnectorType<WebhookSettings> webhook(Clock clock, DeliveryHttpClient http, CartRelayProperties hub) {
        return ConnectorType.of(
                "webhook", WebhookSettings.class, (d, s) -> new WebhookConnector(d, s, clock, http, templates(hub)));
    }

    @Bean
    ConnectorType<EmailSettings> email(CartRelayProperties hub, UnsubscribeKeys keys) {
        return ConnectorType.of(
                "email",
                EmailSettings.class,
                (d, s) -> new EmailConnector(d, s, templates(hub), hub.publicUrl(), keys));
    }

    @Bean
    ConnectorType<SqlSettings> sql(SqlDataSources databases) {
        return ConnectorType.of("sql", SqlSettings.class, (d, s) -> new SqlConnector(d, s, databases.of(d, s)));
    }

    @Bean
    ConnectorType<KafkaSettings> kafka() {
        return ConnectorType.of("kafka", KafkaSettings.class, KafkaConnector::new);
    }

    @Bean
    ConnectorType<RouteSettings> route() {
        return ConnectorType.of("route", RouteSettings.class, RouteConnector::new);
    }

    @Bean
    ConnectorType<HubSpotSettings> hubspot() {
        return ConnectorType.of("hubspot", HubSpotSettings.class, HubSpotConnector::new);
    }

    @Bean
    ConnectorType<KlaviyoSettings> klaviyo() {
        return ConnectorType.of("klaviyo", KlaviyoSettings.class, KlaviyoConnector::new);
    }

    @Bean
    ConnectorType<MailchimpSettings> mailchimp() {
        return ConnectorType.of("mailchimp", MailchimpSettings.class, MailchimpConnector::new);
    }

    @Bean
    ConnectorType<ZendeskSettings> zendesk(ExternalRefs refs) {
        return ConnectorType.of("zendesk", ZendeskSettings.class, (d, s) -> new ZendeskConnector(d, s, refs));
    }

    @Bean
    ConnectorType<FreshdeskSettings> freshdesk(ExternalRefs refs) {
        return ConnectorType.of("freshdesk", FreshdeskSettings.class, (d, s) -> new FreshdeskConnector(d, s, refs));
    }

    /**
     * Where the webhook's body templates and the email's mail templates are: {@code <home>/connectors/templates}; the
     * email type falls back to the templates shipped in the hub.
     */
    private static Path templates(CartRelayProperties hub) {
        return hub.homeDir().resolve("connectors").resolve("templates");
    }
}
