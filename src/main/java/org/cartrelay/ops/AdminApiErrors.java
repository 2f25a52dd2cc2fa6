package org.cartrelay.ops;

import org.cartrelay.privacy.PrivacyApi;
import org.cartrelay.privacy.unsubscribe.SuppressionApi;
import org.cartrelay.reports.ReportsApi;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** A bad parameter of the admin API (a time that is neither a date nor an instant, …) is a 400 that names it. */
@RestControllerAdvice(
        assignableTypes = {
            ConnectorApi.class,
            DeadLetterApi.class,
            PrivacyApi.class,
            ReportsApi.class,
            SuppressionApi.class
        })
public class AdminApiErrors {

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<ProblemDetail> badParameter(IllegalArgumentException e) {
        return ResponseEntity.badRequest()
                .body(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage()));
    }
}
