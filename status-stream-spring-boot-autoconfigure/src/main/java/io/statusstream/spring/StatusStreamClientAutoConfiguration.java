package io.statusstream.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the JavaScript client ({@link StatusStreamSecurity#CLIENT_PATH}) cacheable with validation, on either web
 * stack: {@code Cache-Control: no-cache} (a browser keeps it and asks each time whether it changed) and an
 * {@code ETag} of its content, so that an unchanged client costs a 304 and a new version of the starter is picked up at
 * once. Boot's default static resource handling would send no {@code Cache-Control} (browsers then guess a lifetime
 * from {@code Last-Modified}) and no {@code ETag}.
 *
 * <p>Replaced by a bean named {@value #RESOURCES}.
 */
@AutoConfiguration(afterName = {"org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration",
        "org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration"})
@ConditionalOnWebApplication
public final class StatusStreamClientAutoConfiguration {

    static final String RESOURCES = "statusStreamClientResources";
    /** A pattern, not the file's path: a handler mapped to an exact path resolves nothing within it. */
    private static final String PATTERN = "/status-stream/*.js";
    private static final String LOCATION = "classpath:/META-INF/resources/status-stream/";

    StatusStreamClientAutoConfiguration() {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(WebMvcConfigurer.class)
    static class WebMvcClientConfiguration {

        @Bean(RESOURCES)
        @ConditionalOnMissingBean(name = RESOURCES)
        WebMvcConfigurer statusStreamClientResources() {
            return new WebMvcConfigurer() {
                @Override
                public void addResourceHandlers(
                        org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry registry) {
                    registry.addResourceHandler(PATTERN).addResourceLocations(LOCATION)
                            .setCacheControl(CacheControl.noCache())
                            .setEtagGenerator(new ContentEtags());
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(WebFluxConfigurer.class)
    static class WebFluxClientConfiguration {

        @Bean(RESOURCES)
        @ConditionalOnMissingBean(name = RESOURCES)
        WebFluxConfigurer statusStreamClientResources() {
            return new WebFluxConfigurer() {
                @Override
                public void addResourceHandlers(
                        org.springframework.web.reactive.config.ResourceHandlerRegistry registry) {
                    registry.addResourceHandler(PATTERN).addResourceLocations(LOCATION)
                            .setCacheControl(CacheControl.noCache())
                            .setEtagGenerator(new ContentEtags());
                }
            };
        }
    }
}
