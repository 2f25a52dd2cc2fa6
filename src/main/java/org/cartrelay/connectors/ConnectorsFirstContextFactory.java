package org.cartrelay.connectors;

import org.springframework.aot.AotDetector;
import org.springframework.boot.ApplicationContextFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.servlet.context.AnnotationConfigServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The hub's servlet application context builds its connectors before it starts the web server: a connector that
 * cannot be built (a template missing, a key its type refuses) stops the start before Tomcat runs, so its failure
 * report is not preceded by the web server's own errors. Registered in {@code META-INF/spring.factories} ahead of
 * Spring Boot's factory, which makes every other kind of context.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ConnectorsFirstContextFactory implements ApplicationContextFactory {

    @Override
    public ConfigurableApplicationContext create(WebApplicationType webApplicationType) {
        return webApplicationType == WebApplicationType.SERVLET && !AotDetector.useGeneratedArtifacts()
                ? new ConnectorsFirstContext()
                : null;
    }

    static final class ConnectorsFirstContext extends AnnotationConfigServletWebServerApplicationContext {

        @Override
        protected void onRefresh() {
            getBeanProvider(ConnectorRegistry.class).ifAvailable(registry -> {});
            super.onRefresh();
        }
    }
}
