package org.cartrelay.intake.digistore24;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

import org.cartrelay.config.NonNegativeDuration;
import org.cartrelay.intake.ConsentDefault;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.NotNull;

/**
 * The Digistore24 source, {@code /ipn/digistore24}.
 *
 * @param passphrase The IPN passphrase that signs sha_sign; without it the endpoint answers 404.
 * @param zone The zone in which order_date_time (sent without one) is read.
 * @param checkoutEvents Event names that mean "order-form data entered"; empty: any non-transaction event that
 *        carries an email.
 * @param abandonmentDelay This source's override of cartrelay.abandonment.delay.
 * @param consentDefault Newsletter consent of a notice that says nothing about it: none or
 *        newsletter.
 */
@ConfigurationProperties("cartrelay.sources.digistore24")
@Validated
public record Digistore24Properties(
        String passphrase,
        @DefaultValue("Europe/Berlin") @NotNull ZoneId zone,
        @DefaultValue @NotNull List<String> checkoutEvents,
        @NonNegativeDuration Duration abandonmentDelay,
        @DefaultValue("none") @NotNull ConsentDefault consentDefault) {}
