package org.cartrelay.testing;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Digistore24 IPN bodies made from a fixture with some fields changed, signed with the fixture passphrase as
 * wire-formats.md describes (empty values and sha_sign dropped, keys sorted by byte order, KEY=VALUE+passphrase
 * each, SHA-512, upper-case hex).
 */
public final class Digistore24Forms {

    private Digistore24Forms() {}

    /** The fixture's fields with {@code changes} applied (a null value removes the field), signed again. */
    public static String from(String fixture, Map<String, String> changes) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : Fixtures.form(fixture).split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            if (!key.equals("sha_sign")) {
                fields.put(key, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        changes.forEach((key, value) -> {
            if (value == null) {
                fields.remove(key);
            } else {
                fields.put(key, value);
            }
        });
        List<Map.Entry<String, String>> signed = new ArrayList<>();
        fields.entrySet().stream().filter(e -> !e.getValue().isEmpty()).forEach(signed::add);
        signed.sort((a, b) -> java.util.Arrays.compareUnsigned(
                a.getKey().getBytes(StandardCharsets.UTF_8), b.getKey().getBytes(StandardCharsets.UTF_8)));
        StringBuilder text = new StringBuilder();
        signed.forEach(
                e -> text.append(e.getKey()).append('=').append(e.getValue()).append(Fixtures.DIGISTORE24_PASSPHRASE));
        StringBuilder body = new StringBuilder();
        fields.forEach((key, value) -> body.append(URLEncoder.encode(key, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8))
                .append('&'));
        try {
            return body.append("sha_sign=")
                    .append(HexFormat.of()
                            .withUpperCase()
                            .formatHex(MessageDigest.getInstance("SHA-512")
                                    .digest(text.toString().getBytes(StandardCharsets.UTF_8))))
                    .toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
