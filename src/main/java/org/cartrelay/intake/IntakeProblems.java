package org.cartrelay.intake;

import java.util.List;
import java.util.Map;

import org.cartrelay.support.JsonSchemas;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * Every refusal of an intake endpoint is an {@code application/problem+json} body (RFC 9457) with status, title and
 * detail; a 422 adds {@code errors: [{field, message}]}. Details name the field and the rule, not the value.
 */
public final class IntakeProblems {

    private IntakeProblems() {}

    public static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        return problem(status, title, detail, null);
    }

    public static ResponseEntity<ProblemDetail> problem(
            HttpStatus status, String title, String detail, List<JsonSchemas.Violation> violations) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        if (violations != null) {
            problem.setProperty(
                    "errors",
                    violations.stream()
                            .map(v -> Map.of("field", v.field(), "message", v.message()))
                            .toList());
        }
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}
