package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.spring.TestApplication.Bot;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * A host application with real Spring Security: users alice and bob (passwords their names), one stream whose policy
 * lets only alice watch. With {@code test.app-chain=true} it has its own filter chain as the starter's README tells
 * (form login and HTTP Basic, streams answered with 401); without, Boot's default chain guards it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class SecuredApplication {

    @Bean
    ManualStreamScheduler streamScheduler() {
        return new ManualStreamScheduler();
    }

    @Bean
    InMemoryStateSource<Long, Bot> botSource() {
        return new InMemoryStateSource<>();
    }

    @Bean
    StreamDefinition<Long, Bot> botStream(InMemoryStateSource<Long, Bot> botSource, ManualStreamScheduler scheduler) {
        return StreamDefinition.builder("bots", botSource)
                .path("/api/v1/bots")
                .keyParser(KeyParsers.asciiLong())
                .accessPolicy((principal, keys) -> principal.getName().equals("alice")
                        ? AccessDecision.ALLOW : AccessDecision.DENY)
                .scheduler(scheduler)
                .build();
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(
                User.withUsername("alice").password("{noop}alice").roles("USER").build(),
                User.withUsername("bob").password("{noop}bob").roles("USER").build());
    }

    /** The application's own chain, as the README's recipe writes it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty("test.app-chain")
    static class OwnChain {

        @Bean
        SecurityFilterChain appSecurity(HttpSecurity http, StatusStreamSecurity streams) throws Exception {
            return http.authorizeHttpRequests(requests -> requests
                            .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                            .anyRequest().authenticated())
                    .formLogin(Customizer.withDefaults())
                    .httpBasic(Customizer.withDefaults())
                    .exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
                            streams.authenticationEntryPoint(), streams.streamRequests()))
                    .build();
        }
    }
}
