package org.cartrelay.privacy.unsubscribe;

import org.springframework.dao.DataAccessException;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The public unsubscribe link {@code /unsubscribe/<token>} (RFC 8058), no credentials: {@code POST} with the form
 * field {@code List-Unsubscribe=One-Click} (what a mail client's button sends, and the page's form) puts the buyer on
 * the suppression list and answers 200, the same whether they were on it already or ever had a cart here. {@code GET}
 * only shows a page with that button: mail scanners open links, and must unsubscribe nobody. A malformed token is a
 * 400, one this hub did not sign a 404; neither says anything about any address.
 */
@RestController
public class UnsubscribePage {

    static final String FIELD = "List-Unsubscribe";
    static final String ONE_CLICK = "One-Click";

    private final UnsubscribeKeys keys;
    private final Unsubscriptions unsubscriptions;

    public UnsubscribePage(UnsubscribeKeys keys, Unsubscriptions unsubscriptions) {
        this.keys = keys;
        this.unsubscriptions = unsubscriptions;
    }

    @GetMapping("/unsubscribe/{token}")
    public ResponseEntity<String> confirm(@PathVariable String token) {
        try {
            keys.email(token);
        } catch (UnsubscribeKeys.InvalidToken e) {
            return page(e.status(), "Unsubscribe", e.getMessage());
        }
        return page(200, "Unsubscribe", """
                <p>Do you want to stop getting mails about your carts from us?</p>
                <form method="post">
                  <input type="hidden" name="List-Unsubscribe" value="One-Click">
                  <button type="submit">Unsubscribe</button>
                </form>""");
    }

    @PostMapping("/unsubscribe/{token}")
    public ResponseEntity<String> unsubscribe(
            @PathVariable String token, @RequestParam(name = FIELD, required = false) String field) {
        String email;
        try {
            email = keys.email(token);
        } catch (UnsubscribeKeys.InvalidToken e) {
            return page(e.status(), "Unsubscribe", e.getMessage());
        }
        if (!ONE_CLICK.equals(field)) {
            return page(
                    400,
                    "Unsubscribe",
                    "A one-click unsubscription is a POST with the form field "
                            + "List-Unsubscribe=One-Click (RFC 8058).");
        }
        try {
            unsubscriptions.unsubscribe(email, Unsubscriptions.LINK, null);
        } catch (DataAccessException e) {
            return page(503, "Unsubscribe", "We could not record it just now; please try again in a minute.");
        }
        return page(200, "Unsubscribed", "You are unsubscribed: we will not mail you again.");
    }

    /** A small page of its own (no scripts, no inline styles), never cached: the URL holds the token. */
    private static ResponseEntity<String> page(int status, String title, String body) {
        String html = """
                <!DOCTYPE html>
                <html lang="en">
                <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <meta name="robots" content="noindex"><title>%s</title></head>
                <body>
                <h1>%s</h1>
                %s
                </body>
                </html>
                """.formatted(title, title, body.startsWith("<") ? body : "<p>" + body + "</p>");
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(HttpStatus.valueOf(status))
                .contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noStore())
                .header("Referrer-Policy", "no-referrer");
        if (status == 503) {
            answer.header("Retry-After", "60");
        }
        return answer.body(html);
    }
}
