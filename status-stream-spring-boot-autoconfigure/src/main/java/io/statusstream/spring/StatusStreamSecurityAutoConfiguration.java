package io.statusstream.spring;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Fits the streams into Spring Security (servlet): a {@link StatusStreamSecurity} bean for the application's own
 * filter chain, and a filter chain of the starter's own that lets everyone fetch the JavaScript client, cacheable with
 * validation (Spring Security's default {@code Cache-Control: no-store} would make every page load download it again).
 *
 * <p>The client's chain matches {@link StatusStreamSecurity#CLIENT_PATH} and nothing else, with precedence over the
 * application's chains. It is added only when some filter chain exists already (the application's or Boot's
 * default), after Boot's own security auto-configuration: a chain of the starter's never makes Boot's default chain
 * back off, and never stands alone in place of Spring Security's fallback. Off with
 * {@code status-stream.security.permit-client=false}; replaced by a bean named
 * {@code statusStreamClientSecurityFilterChain}.
 *
 * <p>What this cannot do for the application, because it would change the application's own chain: answer stream
 * requests without a login with 401 instead of a login redirect ({@link StatusStreamSecurity} has what that takes),
 * and permit the async dispatches that carry a stream's events.
 */
@AutoConfiguration(after = {StatusStreamAutoConfiguration.class, StatusStreamWebMvcAutoConfiguration.class}, afterName = {
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({SecurityFilterChain.class, HttpSecurity.class, PathPatternRequestMatcher.class})
@ConditionalOnBean(StatusStreamHandlerMapping.class)
public final class StatusStreamSecurityAutoConfiguration {

    /** The precedence of the client's filter chain: ahead of the application's chains, which may match any request. */
    public static final int CLIENT_CHAIN_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    StatusStreamSecurityAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    StatusStreamSecurity statusStreamSecurity(StatusStreamHandlerMapping mapping,
                                              ObjectProvider<PathPatternRequestMatcher.Builder> paths) {
        return new StatusStreamSecurity(mapping, paths.getIfAvailable(PathPatternRequestMatcher::withDefaults));
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "status-stream.security.permit-client", matchIfMissing = true)
    @ConditionalOnBean({SecurityFilterChain.class, HttpSecurity.class})
    static class ClientChainConfiguration {

        @Bean
        @Order(CLIENT_CHAIN_ORDER)
        @ConditionalOnMissingBean(name = "statusStreamClientSecurityFilterChain")
        SecurityFilterChain statusStreamClientSecurityFilterChain(HttpSecurity http, StatusStreamSecurity streams)
                throws Exception {
            // A static file: nothing to authenticate, no session to start, no request to remember for after a login.
            return http.securityMatcher(streams.clientRequests())
                    .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                    .headers(headers -> headers.cacheControl(cacheControl -> cacheControl.disable()))
                    .requestCache(cache -> cache.disable())
                    .sessionManagement(sessions -> sessions.disable())
                    .securityContext(context -> context.disable())
                    .csrf(csrf -> csrf.disable())
                    .build();
        }
    }
}
