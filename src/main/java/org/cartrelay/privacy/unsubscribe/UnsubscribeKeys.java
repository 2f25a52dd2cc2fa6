package org.cartrelay.privacy.unsubscribe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.support.GeneratedSecret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The unsubscribe key ({@code cartrelay.unsubscribe.key}, else generated once into
 * {@code <home>/data/unsubscribe-key}, owner-only) and what is derived from it, each with a key of its own:
 * <ul>
 * <li>the suppression hash of an address: HMAC-SHA256 of the normalised (trimmed, lower-cased) address, hex; the
 * suppression list is looked up by it, so it outlives the address (erasure);</li>
 * <li>the per-buyer unsubscribe token: {@code base64url(nonce | AES-GCM(address)) "." base64url(HMAC-SHA256)}. The
 * address travels encrypted, so a link names nobody in clear and needs no lookup table (it works as long as the key
 * stays, past retention and purges); the HMAC over the first part is checked first, in constant time, so a changed
 * or made-up token is refused before anything is decrypted or looked up. The nonce is derived from the address
 * (synthetic IV), so one buyer always gets the same token and two buyers never share a nonce.</li>
 * </ul>
 */
@Component
public class UnsubscribeKeys {

    private static final Logger log = LoggerFactory.getLogger(UnsubscribeKeys.class);
    static final String FILE_NAME = "unsubscribe-key";
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final int MAC = 32;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

    private final byte[] hashKey;
    private final byte[] macKey;
    private final byte[] nonceKey;
    private final SecretKeySpec encryptionKey;

    public UnsubscribeKeys(CartRelayProperties properties) {
        String key = properties.unsubscribe().key();
        if (key == null || key.isBlank()) {
            Path file = properties.homeDir().resolve("data").resolve(FILE_NAME);
            key = GeneratedSecret.readOrCreate(file, 32, "unsubscribe key", "cartrelay.unsubscribe.key");
            log.info("The unsubscribe key (cartrelay.unsubscribe.key is not set) is in {}", file);
        }
        byte[] master = key.strip().getBytes(StandardCharsets.UTF_8);
        this.hashKey = hmac(master, "cartrelay suppression hash");
        this.macKey = hmac(master, "cartrelay unsubscribe token mac");
        this.nonceKey = hmac(master, "cartrelay unsubscribe token nonce");
        this.encryptionKey = new SecretKeySpec(hmac(master, "cartrelay unsubscribe token encryption"), "AES");
    }

    /** How addresses are compared: trimmed and lower-cased, as Mailchimp's subscriber hash does. */
    public static String normalise(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    /** The suppression hash of an address (64 hex digits). */
    public String hash(String email) {
        return HexFormat.of().formatHex(hmac(hashKey, normalise(email)));
    }

    /** The unsubscribe token of an address: URL-safe, no padding, the address not in clear. */
    public String token(String email) {
        byte[] plain = normalise(email).getBytes(StandardCharsets.UTF_8);
        byte[] nonce = Arrays.copyOf(hmac(nonceKey, plain), NONCE);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, encryptionKey, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plain);
            String body = B64.encodeToString(ByteBuffer.allocate(NONCE + sealed.length)
                    .put(nonce)
                    .put(sealed)
                    .array());
            return body + "." + B64.encodeToString(hmac(macKey, body.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every Java runtime", e);
        }
    }

    /** Why a token was refused: it is not a token at all (400), or not one this hub made (404). */
    public static final class InvalidToken extends RuntimeException {
        private final int status;

        InvalidToken(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * The address a token was made for.
     *
     * @throws InvalidToken 400 for a malformed token, 404 for one whose signature does not hold
     */
    public String email(String token) {
        int dot = token == null ? -1 : token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.') || token.length() > 1000) {
            throw new InvalidToken(400, "This is not an unsubscribe link of ours: the token is malformed.");
        }
        String body = token.substring(0, dot);
        byte[] sealed;
        byte[] mac;
        try {
            sealed = UNB64.decode(body);
            mac = UNB64.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidToken(400, "This is not an unsubscribe link of ours: the token is malformed.");
        }
        if (mac.length != MAC || sealed.length <= NONCE + TAG_BITS / 8) {
            throw new InvalidToken(400, "This is not an unsubscribe link of ours: the token is malformed.");
        }
        if (!MessageDigest.isEqual(mac, hmac(macKey, body.getBytes(StandardCharsets.US_ASCII)))) {
            throw new InvalidToken(404, "This unsubscribe link is not valid: it may have been changed or cut off.");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, encryptionKey, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE));
            return new String(cipher.doFinal(sealed, NONCE, sealed.length - NONCE), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            // signed by us but not sealed by us: only a key shared with something else could make that
            throw new InvalidToken(404, "This unsubscribe link is not valid: it may have been changed or cut off.");
        }
    }

    private static byte[] hmac(byte[] key, String text) {
        return hmac(key, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every Java runtime", e);
        }
    }
}
