package org.cartrelay.config;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import org.hibernate.validator.constraints.time.DurationMin;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;

/** A duration setting that may be zero (no wait) but not negative. Unset (null) is left to {@code @NotNull}. */
@DurationMin(nanos = 0)
@Constraint(validatedBy = {})
@ReportAsSingleViolation
@Documented
@Retention(RUNTIME)
@Target({FIELD, METHOD, PARAMETER, ANNOTATION_TYPE, TYPE_USE})
public @interface NonNegativeDuration {

    String message() default "must be a duration of zero or more, such as 0s, 10s, 500ms, 2m";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
