package org.cartrelay.support;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %m}/{@code %msg}/{@code %message}, escaped and cut by {@link LogSafe#line}: whoever logs a
 * sender's text (our code, Camel, Tomcat, a library), it stays on one line of bounded length.
 */
public class SafeMessageConverter extends MessageConverter {

    /** Spring Boot's start-up reports (a failure analysis, say): many lines by design, and no sender's text. */
    private static final String REPORTS = "org.springframework.boot.diagnostics.";

    @Override
    public String convert(ILoggingEvent event) {
        String message = super.convert(event);
        return event.getLoggerName() != null && event.getLoggerName().startsWith(REPORTS)
                ? message
                : LogSafe.line(message);
    }
}
