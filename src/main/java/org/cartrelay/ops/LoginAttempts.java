package org.cartrelay.ops;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Sign-in attempts per client address: every post of the login form and every request with basic credentials that
 * fail take one of {@code perMinute} a minute (refilled evenly); with none left, the login form and every request
 * with basic credentials (right ones too, or guessing would go on) get 429 with {@code Retry-After}. Requests with
 * right basic credentials take nothing, so an API client is never slowed down by its own calls. Failures that ran at
 * the same time are all counted (the address goes into debt), so parallel guesses buy no extra attempts.
 * <p>
 * The address is the connection's peer ({@code getRemoteAddr()}); behind a proxy it is the client only when
 * {@code server.forward-headers-strategy} is set, otherwise every client behind it shares one allowance. The most
 * recently seen {@value #ADDRESSES} addresses are remembered, so the map stays bounded whoever calls.
 */
final class LoginAttempts extends OncePerRequestFilter {

    static final int ADDRESSES = 10_000;

    private final int perMinute;
    private final String loginUrl;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > ADDRESSES;
        }
    };

    LoginAttempts(int perMinute, String loginUrl) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("cartrelay.admin.login-attempts-per-minute must be at least 1");
        }
        this.perMinute = perMinute;
        this.loginUrl = loginUrl;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if ("POST".equals(request.getMethod()) && path.equals(loginUrl)) {
            ConsumptionProbe probe = bucket(request).tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                refuse(response, probe.getNanosToWaitForRefill());
                return;
            }
        } else if (hasBasicCredentials(request)) {
            EstimationProbe probe = bucket(request).estimateAbilityToConsume(1);
            if (!probe.canBeConsumed()) {
                refuse(response, probe.getNanosToWaitForRefill());
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** The entry point basic authentication answers wrong credentials with, counting each as an attempt. */
    AuthenticationEntryPoint countingFailures(AuthenticationEntryPoint entryPoint) {
        return (request, response, exception) -> {
            bucket(request).consumeIgnoringRateLimits(1);
            entryPoint.commence(request, response, exception);
        };
    }

    private static boolean hasBasicCredentials(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        return authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
    }

    private Bucket bucket(HttpServletRequest request) {
        String address = request.getRemoteAddr();
        synchronized (buckets) {
            return buckets.computeIfAbsent(
                    address,
                    ignored -> Bucket.builder()
                            .addLimit(Bandwidth.builder()
                                    .capacity(perMinute)
                                    .refillGreedy(perMinute, Duration.ofMinutes(1))
                                    .build())
                            .build());
        }
    }

    private static void refuse(HttpServletResponse response, long nanosToWait) throws IOException {
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanosToWait + 999_999_999L));
        response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
        response.setHeader("Retry-After", Long.toString(seconds));
        response.setContentType(MediaType.TEXT_PLAIN_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write("Too many sign-in attempts from this address; try again in " + seconds + " s.\n");
    }
}
