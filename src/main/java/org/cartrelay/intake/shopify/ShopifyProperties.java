package org.cartrelay.intake.shopify;

import java.time.Duration;

import org.cartrelay.config.NonNegativeDuration;
import org.cartrelay.intake.ConsentDefault;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.NotNull;

/**
 * The Shopify source, {@code /webhooks/shopify}.
 *
 * @param secret The app's client secret that signs X-Shopify-Hmac-Sha256; without it the endpoint answers
 *        404.
 * @param abandonmentDelay This source's override of cartrelay.abandonment.delay.
 * @param consentDefault Newsletter consent of a notice that says nothing about it: none or
 *        newsletter.
 */
@ConfigurationProperties("cartrelay.sources.shopify")
@Validated
public record ShopifyProperties(
        String secret,
        @NonNegativeDuration Duration abandonmentDelay,
        @DefaultValue("none") @NotNull ConsentDefault consentDefault) {}
