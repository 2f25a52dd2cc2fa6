package org.cartrelay.lifecycle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.config.ConfigurationProblem;
import org.cartrelay.store.CouponStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The coupon of an abandoned event: the fixed {@code cartrelay.recovery.coupon}, or the next free code of the pool
 * file {@code cartrelay.recovery.coupon-pool} (one code a line; blank lines and {@code #} comments skipped). The file
 * is loaded into the database at start-up, adding only codes not seen before, and each code is claimed once.
 */
@Component
public class CouponPool {

    private static final Logger log = LoggerFactory.getLogger(CouponPool.class);

    private final CouponStore store;
    private final String fixed;
    private final boolean pooled;
    private final TransactionTemplate ownTransaction;
    private final AtomicBoolean exhaustionReported = new AtomicBoolean();

    public CouponPool(CouponStore store, CartRelayProperties properties, PlatformTransactionManager transactions) {
        this.store = store;
        CartRelayProperties.Recovery recovery = properties.recovery();
        if (recovery.coupon() != null && recovery.couponPool() != null) {
            throw new ConfigurationProblem(
                    "Both cartrelay.recovery.coupon (one fixed code) and cartrelay.recovery.coupon-pool (a file of "
                            + "codes) are set; an abandoned event offers one or the other.",
                    "Unset one of cartrelay.recovery.coupon and cartrelay.recovery.coupon-pool.");
        }
        this.fixed = blankToNull(recovery.coupon());
        this.pooled = recovery.couponPool() != null && !recovery.couponPool().isBlank();
        // a claim commits at once: the batch that asked may still roll back, and then the code is simply not used
        this.ownTransaction = new TransactionTemplate(transactions);
        ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        if (pooled) {
            load(properties.homeDir().resolve(recovery.couponPool()));
        }
    }

    private void load(Path file) {
        List<String> codes;
        try {
            codes = Files.readAllLines(file).stream()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new ConfigurationProblem(
                    "The coupon pool file " + file + " (cartrelay.recovery.coupon-pool) cannot be read: "
                            + e.getMessage() + ".",
                    "Create the file (one code a line) or correct cartrelay.recovery.coupon-pool; it is relative to "
                            + "the home folder.",
                    e);
        }
        for (String code : codes) {
            if (code.length() > 255) {
                throw new ConfigurationProblem(
                        "The coupon pool file " + file + " has a code longer than 255 characters.",
                        "Write one code a line, each at most 255 characters long.");
            }
        }
        int added = ownTransaction.execute(status -> store.load(codes));
        log.info("Coupon pool {}: {} codes added, {} free", file, added, store.countFree());
    }

    /** A coupon for this checkout, or none when no coupon is configured or the pool is used up. */
    public Optional<String> next(String checkoutId, Instant now) {
        if (fixed != null) {
            return Optional.of(fixed);
        }
        if (!pooled) {
            return Optional.empty();
        }
        Optional<String> code = ownTransaction.execute(status -> store.claim(checkoutId, now));
        if (code.isEmpty() && exhaustionReported.compareAndSet(false, true)) {
            log.warn("The coupon pool (cartrelay.recovery.coupon-pool) is used up; abandoned events go out without "
                    + "a coupon until codes are added to the file and the hub restarts.");
        } else if (code.isPresent()) {
            exhaustionReported.set(false);
        }
        return code;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
