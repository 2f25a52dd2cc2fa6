package org.cartrelay.intake.digistore24;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Digistore24's {@code sha_sign}: drop {@code sha_sign}/{@code SHASIGN} and empty values, sort the keys by byte
 * order, hash {@code KEY=VALUE<passphrase>} for each pair with SHA-512, upper-case hex. Accounts that sign with
 * upper-cased keys are accepted too.
 */
final class Digistore24Signature {

    private Digistore24Signature() {}

    static String sign(List<Map.Entry<String, String>> pairs, String passphrase, boolean upperCaseKeys) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> pair : pairs) {
            String key = pair.getKey();
            if (key.equalsIgnoreCase("sha_sign")
                    || key.equalsIgnoreCase("shasign")
                    || pair.getValue().isEmpty()) {
                continue;
            }
            kept.add(Map.entry(upperCaseKeys ? key.toUpperCase(Locale.ROOT) : key, pair.getValue()));
        }
        kept.sort((a, b) -> compareBytes(a.getKey(), b.getKey()));
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> pair : kept) {
            text.append(pair.getKey()).append('=').append(pair.getValue()).append(passphrase);
        }
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-512").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is unavailable", e);
        }
    }

    /** True when the given signature matches either key convention; compared in constant time. */
    static boolean verify(List<Map.Entry<String, String>> pairs, String passphrase, String given) {
        if (given == null || given.isBlank() || passphrase == null || passphrase.isEmpty()) {
            return false;
        }
        byte[] actual = given.trim().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        boolean asSent =
                MessageDigest.isEqual(sign(pairs, passphrase, false).getBytes(StandardCharsets.US_ASCII), actual);
        boolean upper =
                MessageDigest.isEqual(sign(pairs, passphrase, true).getBytes(StandardCharsets.US_ASCII), actual);
        return asSent | upper;
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
