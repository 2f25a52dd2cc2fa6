package org.cartrelay.connectors;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * One pooled HTTP client for the connectors that POST a ready body to a fixed URL (the webhook), called straight from
 * their route. It answers the way Camel's HTTP producer does for the delivery worker (status in
 * {@code CamelHttpResponseCode}, {@code Retry-After} kept, the answer as the body; an I/O error or timeout is an
 * exception), with less work per call than Camel's HTTP producer. No redirects, and the settings every connector's
 * client shares ({@link HttpClientSettings}: no retries, cookies, auth cache, compression or connection state).
 */
@Component
public class DeliveryHttpClient implements DisposableBean {

    /** How much of an answer is kept; the worker stores the first 2,000 characters. */
    private static final int ANSWER_LIMIT = 4096;

    private final PoolingHttpClientConnectionManager pool;
    private final CloseableHttpClient client;
    /** Connect timeout per target host and port: the longest any connector to it asked for. */
    private final Map<String, Long> connectTimeouts = new ConcurrentHashMap<>();

    public DeliveryHttpClient(HttpClientSettings settings) {
        this.pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(1000)
                .setMaxConnPerRoute(200)
                .build();
        pool.setConnectionConfigResolver(route -> ConnectionConfig.custom()
                .setConnectTimeout(Timeout.ofMilliseconds(
                        connectTimeouts.getOrDefault(route.getTargetHost().toHostString(), 10_000L)))
                .build());
        HttpClientBuilder builder =
                HttpClients.custom().setConnectionManager(pool).disableRedirectHandling();
        settings.configureHttpClient(builder);
        this.client = builder.build();
    }

    /** Per connector: its timeout bounds connecting, waiting for a pooled connection, and each read of the answer. */
    public RequestConfig config(String url, long timeoutMillis) {
        URI uri = URI.create(url);
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        connectTimeouts.merge(uri.getHost() + ":" + port, timeoutMillis, Math::max);
        return RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.ofMilliseconds(timeoutMillis))
                .setResponseTimeout(Timeout.ofMilliseconds(timeoutMillis))
                .build();
    }

    /** POSTs the body with the headers and leaves the answer on the exchange's message. */
    public void post(
            Exchange exchange,
            String url,
            RequestConfig config,
            ContentType type,
            byte[] body,
            Map<String, String> headers)
            throws IOException {
        HttpPost post = new HttpPost(url);
        post.setConfig(config);
        headers.forEach(post::setHeader);
        post.setEntity(new ByteArrayEntity(body, type));
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        client.execute(post, response -> {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, response.getCode());
            Header retryAfter = response.getFirstHeader("Retry-After");
            if (retryAfter != null) {
                message.setHeader("Retry-After", retryAfter.getValue());
            }
            HttpEntity entity = response.getEntity();
            // most receivers answer with an empty body; decoding nothing still cost a reader and its buffers
            message.setBody(
                    entity == null
                            ? null
                            : entity.getContentLength() == 0 ? "" : EntityUtils.toString(entity, ANSWER_LIMIT));
            return null;
        });
    }

    @Override
    public void destroy() throws IOException {
        client.close();
    }
}
