package org.cartrelay.ops;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Counts intake requests refused before anything was stored (bad signature or token, bad JSON, schema violation,
 * too large) as {@code cartrelay.notices{outcome="refused"}}, per source.
 */
@Configuration(proxyBeanMethods = false)
public class IntakeRefusals implements WebMvcConfigurer {

    private final HubMetrics metrics;

    public IntakeRefusals(HubMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
                    Exception ex) {
                int status = response.getStatus();
                if (status >= 400 && status < 500 && status != 404) {
                    metrics.notice(source(request.getRequestURI()), "refused");
                }
            }
        }).addPathPatterns("/ipn/**", "/webhooks/**", "/events");
    }

    private static String source(String path) {
        if (path.startsWith("/ipn/digistore24")) {
            return "digistore24";
        }
        if (path.startsWith("/webhooks/")) {
            return path.substring("/webhooks/".length());
        }
        return "generic";
    }
}
