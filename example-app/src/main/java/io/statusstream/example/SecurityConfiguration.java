package io.statusstream.example;

import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Session login for browsers (form), HTTP Basic for API clients such as curl. Pages and the API need a login; API
 * requests without one get 401 rather than a redirect. The demo users' passwords are their names.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        var api = PathPatternRequestMatcher.withDefaults().matcher("/api/**");
        http.authorizeHttpRequests(requests -> requests
                        // A stream's async dispatch continues a request that was already authorized.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/login", "/app.css", "/actuator/health").permitAll()
                        .anyRequest().authenticated())
                .formLogin(form -> form.defaultSuccessUrl("/", true))
                .httpBasic(Customizer.withDefaults())
                .exceptionHandling(exceptions -> exceptions
                        .defaultAuthenticationEntryPointFor(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED), api))
                // Pages send the token from the XSRF-TOKEN cookie; API clients with HTTP Basic have no session to forge.
                .csrf(csrf -> csrf.spa().ignoringRequestMatchers(
                        request -> request.getHeader("Authorization") != null));
        return http.build();
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(
                User.withUsername("alice").password("{noop}alice").roles("TRADER").build(),
                User.withUsername("bob").password("{noop}bob").roles("TRADER").build());
    }
}
