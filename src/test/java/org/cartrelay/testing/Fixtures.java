package org.cartrelay.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signed example notifications on the test classpath under {@code fixtures/} ({@code src/test/resources}; the
 * secrets they are signed with are in its SECRETS.md).
 */
public final class Fixtures {

    public static final String DIGISTORE24_PASSPHRASE = "fixture-passphrase-1";
    public static final String SHOPIFY_SECRET = "fixture-shopify-secret";
    public static final String GENERIC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static final String ROOT = "/fixtures/";

    private Fixtures() {}

    public static String text(String relative) {
        try (InputStream in = Fixtures.class.getResourceAsStream(ROOT + relative)) {
            if (in == null) {
                throw new IllegalArgumentException("Fixture " + ROOT + relative + " is not on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Fixture " + ROOT + relative + " cannot be read", e);
        }
    }

    /** A form fixture without its trailing newline, exactly the bytes that were signed. */
    public static String form(String relative) {
        return text(relative).strip();
    }

    /** A {@code .headers} fixture as name → value. */
    public static Map<String, String> headers(String relative) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : text(relative).split("\\R")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(
                        line.substring(0, colon).trim(),
                        line.substring(colon + 1).trim());
            }
        }
        return headers;
    }
}
