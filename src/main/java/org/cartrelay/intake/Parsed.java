package org.cartrelay.intake;

import org.springframework.http.ResponseEntity;

/**
 * What an intake made of a request before anything is kept: an answer to give as it is (a refusal, or Digistore24's
 * connection test), or a notice to keep and the log line's subject. The fuzz tests drive this step alone.
 */
public record Parsed(ResponseEntity<?> answer, Notice notice, String summary) {

    public static Parsed answer(ResponseEntity<?> answer) {
        return new Parsed(answer, null, null);
    }

    public static Parsed keep(Notice notice, String summary) {
        return new Parsed(null, notice, summary);
    }
}
