package org.cartrelay.ops;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * What the hub answers without credentials besides intake and health: {@code /} redirects to the admin page (which
 * asks for them), and {@code /schemas/<name>.schema.json} serves the hub's JSON schemas as they are on the
 * classpath, so an editor can validate a connector file wherever it lies. The schemas describe file formats and hold
 * no buyer's data; only the top-level files are served, each self-contained.
 */
@Configuration(proxyBeanMethods = false)
class PublicPaths implements WebMvcConfigurer {

    static final String SCHEMAS = "/schemas/";

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/", "/admin/");
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler(SCHEMAS + "*.schema.json").addResourceLocations("classpath:" + SCHEMAS);
    }
}
