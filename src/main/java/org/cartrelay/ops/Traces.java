package org.cartrelay.ops;

import java.util.HashMap;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The hub's spans, over Micrometer Tracing (OpenTelemetry, exported over OTLP). A notice's path crosses the database
 * twice, so its context is stored as a W3C {@code traceparent}: with the checkout (by the intake's span) and with each
 * outbound event (by the fan-out's span); the timer's span and each delivery attempt's continue from there, which
 * makes intake, timer, fan-out and every attempt one trace. Spans name the stored ids ({@code cartrelay.notice.id},
 * {@code cartrelay.checkout.id}, {@code cartrelay.event.id}, {@code cartrelay.delivery.id}), never buyer data.
 *
 * <p>Off ({@code management.tracing.enabled=false}, the default) every method is a no-op that stores nothing.
 */
@Component
public class Traces {

    /** The W3C Trace Context header. */
    public static final String TRACEPARENT = "traceparent";

    public static final String NOTICE_ID = "cartrelay.notice.id";
    public static final String CHECKOUT_ID = "cartrelay.checkout.id";
    public static final String EVENT_ID = "cartrelay.event.id";
    public static final String EVENT_TYPE = "cartrelay.event.type";
    public static final String DELIVERY_ID = "cartrelay.delivery.id";
    public static final String CONNECTOR = "cartrelay.connector";

    private final Tracer tracer;
    private final Propagator propagator;
    private final boolean on;

    public Traces(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
        this.propagator = propagator.getIfAvailable(() -> Propagator.NOOP);
        this.on = this.tracer != Tracer.NOOP && this.propagator != Propagator.NOOP;
    }

    /** Whether spans are made at all. */
    public boolean on() {
        return on;
    }

    /**
     * Starts a span that continues the trace of a stored {@code traceparent}, or a new trace when there is none (or it
     * does not parse). A {@code null} kind is an internal span.
     */
    public Span start(String name, Span.Kind kind, String traceParent) {
        if (!on) {
            return Span.NOOP;
        }
        Span.Builder builder = traceParent == null
                ? tracer.spanBuilder().setNoParent()
                : propagator.extract(Map.of(TRACEPARENT, traceParent), Map::get);
        builder.name(name);
        return (kind == null ? builder : builder.kind(kind)).start();
    }

    /** Starts the server span of a request, continuing the sender's trace when it sent a {@code traceparent}. */
    public Span startServer(String name, HttpServletRequest request) {
        if (!on) {
            return Span.NOOP;
        }
        return propagator
                .extract(request, HttpServletRequest::getHeader)
                .name(name)
                .kind(Span.Kind.SERVER)
                .start();
    }

    /** Makes the span current on this thread until the scope closes. */
    public Tracer.SpanInScope inScope(Span span) {
        return tracer.withSpan(on ? span : null);
    }

    /** The span current on this thread ({@link Span#NOOP} when none is, or tracing is off). */
    public Span current() {
        Span current = on ? tracer.currentSpan() : null;
        return current == null ? Span.NOOP : current;
    }

    /** The span's {@code traceparent} header value, or {@code null} when it is not traced. */
    public String traceParent(Span span) {
        if (!on || span == null || span.isNoop()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        propagator.inject(span.context(), carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }
}
