package org.cartrelay.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * A webhook receiver (WireMock) whose answers a test scripts per call: by the delivery's {@code webhook-id} and how
 * many calls of that id came before, by the time, or by the event's type. It records every call with the moment it
 * arrived and the status it got, in order.
 */
public final class ScriptedTarget implements AutoCloseable {

    /** What to answer a call. */
    public interface Script {
        Answer answer(Call call);
    }

    /** One call as it arrived: the n-th (from 1) of its webhook id, its {@code traceparent}, and the answer it got. */
    public record Call(
            Instant at, String webhookId, int nth, String body, int status, String retryAfter, String traceParent) {

        public boolean recovered() {
            return body.contains("\"type\":\"checkout.recovered\"");
        }

        public boolean abandoned() {
            return body.contains("\"type\":\"checkout.abandoned\"");
        }
    }

    /** An answer: a status, and optionally a Retry-After and a delay before it is sent. */
    public record Answer(int status, String retryAfter, int delayMillis) {

        public static Answer of(int status) {
            return new Answer(status, null, 0);
        }

        public Answer retryAfter(String value) {
            return new Answer(status, value, delayMillis);
        }

        public Answer after(int millis) {
            return new Answer(status, retryAfter, millis);
        }
    }

    public static String httpDate(Instant at) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atOffset(ZoneOffset.UTC));
    }

    private final WireMockServer server;
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, AtomicInteger> perId = new ConcurrentHashMap<>();
    private volatile Script script;

    public ScriptedTarget(Script script) {
        this.script = script;
        this.server = new WireMockServer(WireMockConfiguration.options()
                .dynamicPort()
                .containerThreads(30)
                .extensions(new Transformer()));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)));
    }

    public void script(Script next) {
        this.script = next;
    }

    public String url() {
        return "http://127.0.0.1:" + server.port() + "/in";
    }

    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public List<Call> calls(Predicate<Call> which) {
        return calls().stream().filter(which).toList();
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Transformer implements ResponseDefinitionTransformerV2 {

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            String id = event.getRequest().getHeader("webhook-id");
            int nth = perId.computeIfAbsent(String.valueOf(id), key -> new AtomicInteger())
                    .incrementAndGet();
            String body = event.getRequest().getBodyAsString();
            String traceParent = event.getRequest().getHeader("traceparent");
            Instant at = Instant.now();
            Answer answer = script.answer(new Call(at, id, nth, body, 0, null, traceParent));
            synchronized (calls) {
                calls.add(new Call(at, id, nth, body, answer.status(), answer.retryAfter(), traceParent));
            }
            var response = aResponse().withStatus(answer.status()).withFixedDelay(answer.delayMillis());
            if (answer.retryAfter() != null) {
                response.withHeader("Retry-After", answer.retryAfter());
            }
            return response.build();
        }

        @Override
        public String getName() {
            return "scripted-target";
        }
    }
}
