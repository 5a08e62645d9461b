package io.statusstream.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves the JavaScript client ({@link StatusStreamSecurity#CLIENT_PATH}) cacheable with validation:
 * {@code Cache-Control: no-cache} (a browser keeps it and asks each time whether it changed) and an {@code ETag} of
 * its content, so that an unchanged client costs a 304 and a new version of the starter is picked up at once. Boot's
 * default static resource handling would send no {@code Cache-Control} (browsers then guess a lifetime from
 * {@code Last-Modified}) and no {@code ETag}.
 *
 * <p>Replaced by a bean named {@code statusStreamClientResources}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(WebMvcConfigurer.class)
public final class StatusStreamClientAutoConfiguration {

    StatusStreamClientAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(name = "statusStreamClientResources")
    WebMvcConfigurer statusStreamClientResources() {
        return new WebMvcConfigurer() {
            @Override
            public void addResourceHandlers(ResourceHandlerRegistry registry) {
                // A pattern, not the file's path: a handler mapped to an exact path resolves nothing within it.
                registry.addResourceHandler("/status-stream/*.js")
                        .addResourceLocations("classpath:/META-INF/resources/status-stream/")
                        .setCacheControl(CacheControl.noCache())
                        .setEtagGenerator(new ContentEtags());
            }
        };
    }
}
