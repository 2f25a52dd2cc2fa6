package org.cartrelay.support;

import org.slf4j.Logger;

/**
 * Logs a run of the same failure once: the first failure as a warning with its cause, the repeats at debug, and the
 * end of the run once, with how many failed meanwhile. A loop that retries every second during an outage writes two
 * lines, not one a second.
 */
public final class FailureStreak {

    private final Logger log;
    private final String what;
    private final String again;
    private int failures;
    private long since;

    /**
     * @param what what fails, as a sentence without its stop ("Lane 'crm' cannot reach the store")
     * @param again what the end of the run says ("Lane 'crm' reaches the store again")
     */
    public FailureStreak(Logger log, String what, String again) {
        this.log = log;
        this.what = what;
        this.again = again;
    }

    public synchronized void failed(Throwable cause) {
        if (failures++ == 0) {
            since = System.nanoTime();
            log.warn("{} ({}); retrying until it works, quietly", what, describe(cause));
        } else {
            log.debug("{} ({}), {} times in a row", what, describe(cause), failures);
        }
    }

    public synchronized void succeeded() {
        if (failures > 0) {
            log.info("{}, after {} failures in {} s", again, failures, (System.nanoTime() - since) / 1_000_000_000L);
            failures = 0;
        }
    }

    public synchronized boolean failing() {
        return failures > 0;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName()
                + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
