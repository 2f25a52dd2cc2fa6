package org.cartrelay.support;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Time-ordered, URL-safe ids with a readable prefix ({@code evt_…}, {@code ntc_…}): 48 bits of milliseconds and
 * 80 random bits in Crockford base32, so ids sort by creation and never collide across instances.
 */
public final class Ids {

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    /**
     * One generator per thread: the platform default (NativePRNG) serialises every caller on one lock, which under
     * load made id generation the intake's most contended monitor.
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(Ids::generator);

    private Ids() {}

    private static SecureRandom generator() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    /** {@code length} random characters of the ids' alphabet (lower-case letters and digits). */
    public static String random(int length) {
        byte[] random = new byte[length];
        RANDOM.get().nextBytes(random);
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[random[i] & 31];
        }
        return new String(out);
    }

    public static String next(String prefix) {
        long time = System.currentTimeMillis();
        byte[] random = new byte[10];
        RANDOM.get().nextBytes(random);
        char[] out = new char[26];
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (random[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = (lo << 8) | (random[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return prefix + "_" + new String(out);
    }
}
