package org.cartrelay.reports;

import java.util.Map;

import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The admin web page: plain HTML, JS and CSS under {@code static/admin/}, served from the jar. {@code /admin/}
 * shows it; {@code /admin/csrf} gives the page (and the login form) the CSRF token its POSTs must carry.
 */
@Controller
public class AdminPage {

    @GetMapping("/admin/")
    public String page() {
        return "forward:/admin/index.html";
    }

    /** The page's relative links need the trailing slash. */
    @GetMapping("/admin")
    public String withSlash() {
        return "redirect:/admin/";
    }

    /** The session's CSRF token (masked anew on every call), for the {@code X-CSRF-TOKEN} header or form field. */
    @GetMapping("/admin/csrf")
    @ResponseBody
    public Map<String, String> csrf(CsrfToken token) {
        return Map.of(
                "headerName",
                token.getHeaderName(),
                "parameterName",
                token.getParameterName(),
                "token",
                token.getToken());
    }
}
