package org.cartrelay.testing;

/**
 * The end of a class's fixtures, for tests that start their own servers before the hub that points at them (so no
 * {@link SharedHub} or {@link VendorHub} can own the order): {@code Teardown.inOrder(hub, database, smtp::stop)}.
 */
public final class Teardown {

    private Teardown() {}

    /**
     * Closes each part in the order given, skipping those never started (null), and after trying every one throws the
     * first failure with the later ones suppressed.
     */
    public static void inOrder(AutoCloseable... parts) throws Exception {
        Exception failure = null;
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
