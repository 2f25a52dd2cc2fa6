package org.cartrelay.intake.generic;

import java.time.Duration;

import org.cartrelay.config.NonNegativeDuration;
import org.cartrelay.config.PositiveDuration;
import org.cartrelay.intake.ConsentDefault;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.NotNull;

/**
 * The generic JSON source, {@code /events}.
 *
 * @param secret The whsec_… Standard Webhooks secret; without it the endpoint answers 404.
 * @param tolerance How far webhook-timestamp may be from the hub's clock.
 * @param abandonmentDelay This source's override of cartrelay.abandonment.delay.
 * @param consentDefault Newsletter consent of an event that says nothing about it: none or
 *        newsletter.
 */
@ConfigurationProperties("cartrelay.sources.generic")
@Validated
public record GenericProperties(
        String secret,
        @DefaultValue("5m") @NotNull @PositiveDuration Duration tolerance,
        @NonNegativeDuration Duration abandonmentDelay,
        @DefaultValue("none") @NotNull ConsentDefault consentDefault) {}
