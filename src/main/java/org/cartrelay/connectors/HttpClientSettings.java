package org.cartrelay.connectors;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.springframework.stereotype.Component;

/**
 * Settings every connector's HTTP client shares, bound in Camel's registry as {@value #BEAN}. Apache HttpClient
 * would otherwise retry 429 and 503 answers on its own; the hub keeps its retries in the database instead, where
 * every attempt is recorded and survives a crash. Cookies, cached auth, compression and connection state are off:
 * each delivery stands alone (a receiver's cookie must not ride along on the next event), and those stages of the
 * client's chain cost CPU on every call.
 */
@Component(HttpClientSettings.BEAN)
public class HttpClientSettings implements HttpClientConfigurer {

    public static final String BEAN = "cartrelayHttpClientSettings";

    /** Endpoint options for an HTTP connector: our client settings, no exception on non-2xx, and the timeouts. */
    public static String endpointOptions(long timeoutMillis) {
        return "throwExceptionOnFailure=false&followRedirects=false&httpClientConfigurer=#" + BEAN
                + "&connectTimeout=" + timeoutMillis
                + "&connectionRequestTimeout=" + timeoutMillis
                + "&responseTimeout=" + timeoutMillis
                + "&soTimeout=" + timeoutMillis;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .disableConnectionState();
    }
}
