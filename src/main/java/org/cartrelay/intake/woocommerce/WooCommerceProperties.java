package org.cartrelay.intake.woocommerce;

import java.time.Duration;

import org.cartrelay.config.NonNegativeDuration;
import org.cartrelay.intake.ConsentDefault;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.NotNull;

/**
 * The WooCommerce (CartFlows) source, {@code /webhooks/woocommerce}. CartFlows sends no consent.
 *
 * @param token The shared token (query parameter token or header X-CartRelay-Token); without it the
 *        endpoint answers 404.
 * @param currency The shop's currency (CartFlows sends none).
 * @param abandonmentDelay This source's override of cartrelay.abandonment.delay.
 * @param consentField The form field that carries the buyer's newsletter consent where the shop adds one (values as
 *        Digistore24's newsletter_choice: yes, true, 1, …).
 * @param consentDefault Newsletter consent of a notice that says nothing about it: none or
 *        newsletter.
 */
@ConfigurationProperties("cartrelay.sources.woocommerce")
@Validated
public record WooCommerceProperties(
        String token,
        String currency,
        @NonNegativeDuration Duration abandonmentDelay,
        @DefaultValue("newsletter_consent") String consentField,
        @DefaultValue("none") @NotNull ConsentDefault consentDefault) {}
