package org.cartrelay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The signed example notifications in {@code ../shared/fixtures/} (secrets in its SECRETS.md). */
public final class Fixtures {

    public static final String DIGISTORE24_PASSPHRASE = "fixture-passphrase-1";
    public static final String SHOPIFY_SECRET = "fixture-shopify-secret";
    public static final String GENERIC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static final Path ROOT = Path.of("..", "shared", "fixtures");

    private Fixtures() {
    }

    public static String text(String relative) {
        Path file = ROOT.resolve(relative);
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Fixture " + file.toAbsolutePath() + " is missing", e);
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
                headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }
}
