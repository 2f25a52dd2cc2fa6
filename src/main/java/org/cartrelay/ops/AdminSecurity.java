package org.cartrelay.ops;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

import org.cartrelay.config.CartRelayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.server.CookieSameSiteSupplier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationEntryPoint;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.savedrequest.NullRequestCache;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Admin surfaces ({@code /api/**}, the admin page {@code /admin/}, actuator beyond health) need the admin's
 * credentials; intake requests never reach this chain ({@code IntakeEndpoints} serves them ahead of it): their
 * senders prove themselves with signatures instead. Without {@code cartrelay.admin.password} the password is read
 * from {@code <home>/data/admin-password}, which is generated at the first start, readable by its owner only
 * ({@link GeneratedPassword}); the log names the file, never the password.
 * <p>
 * Two ways in, one user: API clients send HTTP basic on every request and get no session; a browser signs in once
 * on the page's login form and carries a session cookie (HttpOnly, SameSite=Lax). Nothing else makes a session, so
 * anonymous visitors cost the hub no memory. A request that rides on a session could be forged by another site, so
 * every state-changing request needs the CSRF token ({@code X-CSRF-TOKEN} header or {@code _csrf} field, from
 * {@code GET /admin/csrf}) unless it brings its own basic credentials from a non-browser client; a browser that
 * cached basic credentials marks a foreign site's request {@code Sec-Fetch-Site: cross-site}, and that needs the
 * token too. The token is kept in a cookie ({@code XSRF-TOKEN}, HttpOnly, SameSite=Strict), not in a session: the
 * login form needs one before anyone has signed in. Sign-in attempts are limited per client address
 * ({@link LoginAttempts}).
 */
@Configuration(proxyBeanMethods = false)
public class AdminSecurity {

    private static final Logger log = LoggerFactory.getLogger(AdminSecurity.class);

    static final String LOGIN_PAGE = "/admin/login.html";
    static final String LOGIN_URL = "/admin/login";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    /** Scripts and styles only from the hub's own files, so an injected string can never run. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @Bean
    SecurityFilterChain adminChain(HttpSecurity http, CartRelayProperties properties) throws Exception {
        LoginAttempts attempts = new LoginAttempts(properties.admin().loginAttemptsPerMinute(), LOGIN_URL);
        BasicAuthenticationEntryPoint basic = new BasicAuthenticationEntryPoint();
        basic.setRealmName("CartRelay");
        basic.afterPropertiesSet();
        CookieCsrfTokenRepository csrfTokens = new CookieCsrfTokenRepository();
        csrfTokens.setHeaderName("X-CSRF-TOKEN");
        csrfTokens.setCookieCustomizer(cookie -> cookie.httpOnly(true).sameSite("Strict"));
        SimpleUrlAuthenticationFailureHandler loginFailed =
                new SimpleUrlAuthenticationFailureHandler(LOGIN_PAGE + "?error");
        // the page says why from ?error; keeping the exception would need a session
        loginFailed.setAllowSessionCreation(false);
        http.authorizeHttpRequests(
                        auth -> auth.requestMatchers(LOGIN_PAGE, "/admin/login.js", "/admin/admin.css", "/admin/csrf")
                                .permitAll()
                                .requestMatchers("/admin", "/admin/**")
                                .authenticated()
                                .requestMatchers("/api/**")
                                .authenticated()
                                // what the demo receiver got holds buyers' data
                                .requestMatchers(HttpMethod.GET, "/demo/**")
                                .authenticated()
                                .requestMatchers("/actuator/health", "/actuator/health/**")
                                .permitAll()
                                .requestMatchers("/actuator/**")
                                .authenticated()
                                .anyRequest()
                                .permitAll())
                .httpBasic(httpBasic -> httpBasic
                        .authenticationEntryPoint(attempts.countingFailures(basic))
                        // an API client's credentials hold for its one request: no session, no cookie
                        .securityContextRepository(new RequestAttributeSecurityContextRepository()))
                .formLogin(form -> form.loginPage(LOGIN_PAGE)
                        .loginProcessingUrl(LOGIN_URL)
                        .defaultSuccessUrl("/admin/", true)
                        .failureHandler(loginFailed))
                .logout(logout -> logout.logoutUrl("/admin/logout").logoutSuccessUrl(LOGIN_PAGE + "?logout"))
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(new AdminEntryPoint(basic)))
                // a refused request is not kept for after signing in (that would need a session per visitor):
                // signing in always opens the page
                .requestCache(cache -> cache.requestCache(new NullRequestCache()))
                .csrf(csrf -> csrf.requireCsrfProtectionMatcher(AdminSecurity::needsCsrfToken)
                        .csrfTokenRepository(csrfTokens))
                // sessions start only at the login form; a request with basic credentials is not one
                .sessionManagement(session -> session.requireExplicitAuthenticationStrategy(true))
                .addFilterBefore(attempts, UsernamePasswordAuthenticationFilter.class)
                .headers(
                        headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY)));
        return http.build();
    }

    /**
     * State-changing requests to the admin surfaces that could ride on a browser's credentials: those with a session
     * cookie and no basic credentials of their own, those a browser marks as a foreign site's (it may replay cached
     * basic credentials), and the login form itself (so no other site can sign a browser in). A request with neither
     * a session nor credentials can change nothing, so it is asked to sign in (401) rather than refused for a token.
     * Everything outside the admin surfaces (the demo receiver, intake) is left alone: its senders have no session,
     * and the CSRF filter would read form bodies that must stay untouched.
     */
    static boolean needsCsrfToken(HttpServletRequest request) {
        if (SAFE_METHODS.contains(request.getMethod())) {
            return false;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (!(path.startsWith("/api/") || path.startsWith("/admin/") || path.startsWith("/actuator/"))) {
            return false;
        }
        if ("cross-site".equalsIgnoreCase(request.getHeader("Sec-Fetch-Site"))) {
            return true;
        }
        if (request.getHeader("Authorization") != null) {
            return false;
        }
        return request.getRequestedSessionId() != null || path.equals(LOGIN_URL);
    }

    /**
     * Who is asked to sign in how: a browser opening the page goes to the login form; the page's own fetches (marked
     * {@code X-Requested-With: XMLHttpRequest}) get a bare 401, so no basic-auth dialog pops up when the session
     * ends; every other client gets 401 with a basic challenge.
     */
    private static final class AdminEntryPoint implements AuthenticationEntryPoint {
        private final AuthenticationEntryPoint loginForm = new LoginUrlAuthenticationEntryPoint(LOGIN_PAGE);
        private final AuthenticationEntryPoint bare = new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED);
        private final AuthenticationEntryPoint basic;

        AdminEntryPoint(AuthenticationEntryPoint basic) {
            this.basic = basic;
        }

        @Override
        public void commence(
                HttpServletRequest request, HttpServletResponse response, AuthenticationException authException)
                throws IOException, ServletException {
            String path =
                    request.getRequestURI().substring(request.getContextPath().length());
            if ("XMLHttpRequest".equals(request.getHeader("X-Requested-With"))) {
                bare.commence(request, response, authException);
            } else if (path.equals("/admin") || path.startsWith("/admin/")) {
                loginForm.commence(request, response, authException);
            } else {
                basic.commence(request, response, authException);
            }
        }
    }

    /** The page's session cookie is not sent along with other sites' requests. */
    @Bean
    CookieSameSiteSupplier sessionCookieSameSite() {
        return CookieSameSiteSupplier.ofLax().whenHasName("JSESSIONID");
    }

    @Bean
    UserDetailsService adminUser(CartRelayProperties properties) {
        String username = properties.admin().username();
        String effective = properties.admin().password();
        if (effective == null || effective.isBlank()) {
            Path file = properties.homeDir().resolve("data").resolve(GeneratedPassword.FILE_NAME);
            effective = GeneratedPassword.readOrCreate(file);
            log.warn(
                    "cartrelay.admin.password is not set; the password of admin user '{}' is in {} (readable by "
                            + "its owner only)",
                    username,
                    file);
        }
        PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        return new InMemoryUserDetailsManager(User.withUsername(username)
                .password(encoder.encode(effective))
                .roles("ADMIN")
                .build());
    }
}
