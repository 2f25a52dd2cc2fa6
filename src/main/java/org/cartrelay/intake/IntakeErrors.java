package org.cartrelay.intake;

import javax.sql.DataSource;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.support.FormBody;
import org.cartrelay.support.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The answers every intake endpoint shares, refusals as {@code application/problem+json}: 400 for a body or query
 * that is no valid form encoding (before any signature can be checked, so nothing is kept), 413 over the body limit,
 * 503 with {@code Retry-After} when the store cannot commit or the Kafka intake cannot publish (the sender retries;
 * nothing is acknowledged that was not kept), 404 for a source with no secret.
 */
@Component
public class IntakeErrors {

    private static final Logger log = LoggerFactory.getLogger(IntakeErrors.class);

    private final CartRelayProperties properties;
    private final DataSource dataSource;

    public IntakeErrors(CartRelayProperties properties, DataSource dataSource) {
        this.properties = properties;
        this.dataSource = dataSource;
    }

    /** The answer to an exception out of an intake handler, or null when it is none of these (a bug: a 500). */
    ResponseEntity<?> answer(RuntimeException e) {
        ResponseEntity<?> refusal = refusal(e);
        if (refusal != null) {
            return refusal;
        }
        if (e instanceof NoticeHandOff.Unavailable) {
            log.warn("{}", LogSafe.value(e.getMessage()));
            return unavailable(e, "intake log");
        }
        if (e instanceof CannotGetJdbcConnectionException
                || e instanceof CannotCreateTransactionException
                || e instanceof DataAccessResourceFailureException
                || e instanceof TransientDataAccessException
                || e instanceof TransactionSystemException) {
            return storeUnavailable(e);
        }
        return null;
    }

    /** The 4xx for an exception about the request itself, or null when it is about something else. */
    static ResponseEntity<?> refusal(RuntimeException e) {
        if (e instanceof FormBody.MalformedException malformed) {
            return IntakeProblems.problem(HttpStatus.BAD_REQUEST, "Malformed form encoding", malformed.getMessage());
        }
        if (e instanceof RawBody.NulByteException nul) {
            return IntakeProblems.problem(HttpStatus.BAD_REQUEST, "Malformed body", nul.getMessage());
        }
        if (e instanceof RawBody.PayloadTooLargeException tooLarge) {
            return IntakeProblems.problem(HttpStatus.PAYLOAD_TOO_LARGE, "Body too large", tooLarge.getMessage());
        }
        if (e instanceof SourceDisabledException disabled) {
            return IntakeProblems.problem(HttpStatus.NOT_FOUND, "Source disabled", disabled.getMessage());
        }
        return null;
    }

    private ResponseEntity<String> storeUnavailable(RuntimeException e) {
        // pooled connections that an outage broke would fail the sender's retry too; replace them
        if (dataSource instanceof HikariDataSource hikari && hikari.getHikariPoolMXBean() != null) {
            hikari.getHikariPoolMXBean().softEvictConnections();
        }
        return unavailable(e, "store");
    }

    /** 503 with {@code Retry-After}: {@code what} (the store, or the intake log) could not keep the notice. */
    private ResponseEntity<String> unavailable(RuntimeException e, String what) {
        log.warn("The {} is unavailable, answering 503: {}", what, e.getClass().getSimpleName());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(
                        HttpHeaders.RETRY_AFTER,
                        Integer.toString(properties.intake().retryAfterSeconds()))
                .contentType(MediaType.TEXT_PLAIN)
                .body("The " + what + " is unavailable; nothing was kept. Please retry.");
    }
}
