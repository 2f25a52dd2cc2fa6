package org.cartrelay.support;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>}, the key being the
 * base64 part of a {@code whsec_…} secret. Used to verify the generic intake and to sign the webhook connector.
 */
public final class StandardWebhooks {

    private static final String PREFIX = "whsec_";

    /** One keyed MAC per thread: looking up the algorithm and keying it cost more than the HMAC of a short body. */
    private final ThreadLocal<Mac> macs;

    private StandardWebhooks(byte[] key) {
        SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                return mac;
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable", e);
            }
        });
    }

    /** @throws IllegalArgumentException when the secret is not a {@code whsec_} base64 key */
    public static StandardWebhooks withSecret(String secret) {
        String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        try {
            return new StandardWebhooks(Base64.getDecoder().decode(encoded));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a Standard Webhooks secret must be 'whsec_' followed by base64");
        }
    }

    public String sign(String id, long timestamp, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(hmac(id, timestamp, body));
    }

    /** True when any of the space-separated {@code v1,…} signatures matches; compared in constant time. */
    public boolean verify(String id, long timestamp, byte[] body, String signatureHeader) {
        if (signatureHeader == null || id == null) {
            return false;
        }
        byte[] expected = hmac(id, timestamp, body);
        boolean match = false;
        for (String candidate : signatureHeader.trim().split(" +")) {
            int comma = candidate.indexOf(',');
            if (comma < 0 || !"v1".equals(candidate.substring(0, comma))) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(candidate.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            match |= MessageDigest.isEqual(expected, given);
        }
        return match;
    }

    private byte[] hmac(String id, long timestamp, byte[] body) {
        Mac mac = macs.get();
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return mac.doFinal(body);
    }
}
