package io.statusstream.example;

import io.statusstream.spring.StatusStreamSecurity;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.DeferredSecurityContext;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationConverter;
import org.springframework.security.web.context.HttpRequestResponseHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Session login for browsers (form), HTTP Basic for API clients such as curl. Pages and the API need a login; API
 * requests without one get 401 rather than a redirect, and stream requests a 401 with a challenge (the starter's
 * {@link StatusStreamSecurity}), so that a signed-out {@code EventSource} does not follow a redirect into the login
 * page. The JavaScript client needs no rule here: the starter serves it to everyone.
 *
 * <p>Actuator: anyone may see whether the application is up ({@code /actuator/health} without details, for load
 * balancers); its details (database, disk, streams and their watched keys) and every other endpoint, metrics
 * included, are for the {@code OPERATOR} role only. The demo users' passwords are their names.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    /** Parses HTTP Basic credentials exactly as the Basic login does (it uses the same converter). */
    private static final BasicAuthenticationConverter BASIC_CREDENTIALS = new BasicAuthenticationConverter();

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, StatusStreamSecurity streams) throws Exception {
        var api = PathPatternRequestMatcher.withDefaults().matcher("/api/**");
        http.authorizeHttpRequests(requests -> requests
                        // A stream's async dispatch continues a request that was already authorized.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/login", "/app.css").permitAll()
                        .requestMatchers(EndpointRequest.to("health")).permitAll()
                        .requestMatchers(EndpointRequest.toAnyEndpoint()).hasRole("OPERATOR")
                        .anyRequest().authenticated())
                .formLogin(form -> form.defaultSuccessUrl("/", true))
                .httpBasic(basic -> basic.securityContextRepository(new SessionAfterBasicLogin()))
                .exceptionHandling(exceptions -> exceptions
                        .defaultAuthenticationEntryPointFor(streams.authenticationEntryPoint(), streams.streamRequests())
                        .defaultAuthenticationEntryPointFor(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED), api))
                // Pages send the token from the XSRF-TOKEN cookie. A request with Basic credentials is authenticated
                // by them (or refused with 401), and a forged cross-site request cannot set an Authorization header:
                // it needs no token. Only credentials that parse as Basic count: any other Authorization header
                // ("Bearer x", "Digest x", empty) authenticates nothing, so the session cookie beside it is what
                // authenticates, and a cookie is exactly what a forged request carries. The check runs before the
                // login (CSRF comes first in the chain), so it asks the login's own parser rather than the outcome.
                .csrf(csrf -> csrf.spa().ignoringRequestMatchers(SecurityConfiguration::sendsBasicCredentials));
        return http.build();
    }

    static boolean sendsBasicCredentials(HttpServletRequest request) {
        try {
            return BASIC_CREDENTIALS.convert(request) != null;
        } catch (AuthenticationException malformed) {
            return false;
        }
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(
                User.withUsername("alice").password("{noop}alice").roles("TRADER").build(),
                User.withUsername("bob").password("{noop}bob").roles("TRADER").build(),
                User.withUsername("operator").password("{noop}operator").roles("OPERATOR").build());
    }

    /**
     * Keeps an HTTP Basic login in a session, as a form login is kept. Spring Security's default for Basic is no
     * session: every request is authenticated again, and that is deliberately slow (about 85 ms of CPU here: a BCrypt
     * check for a known user, whose {@code {noop}} password Spring Security upgrades to BCrypt at the first login, and
     * for an unknown one, against a dummy hash, so that timing does not tell which users exist). An API client that
     * reconnects often (every {@code EventSource} reconnect is a new request) would spend a core on hashing. With a
     * session, its first request costs the hash and every request with the cookie after it costs a map lookup.
     *
     * <p>The session gets a new id at the login, as a form login's does: an id the client had before (one planted by
     * someone else, say) never becomes a logged-in session. Reads are left to the chain's usual repository, which
     * finds the context in the session.
     */
    private static final class SessionAfterBasicLogin implements SecurityContextRepository {

        private final HttpSessionSecurityContextRepository sessions = new HttpSessionSecurityContextRepository();

        @Override
        public void saveContext(SecurityContext context, HttpServletRequest request, HttpServletResponse response) {
            if (request.getSession(false) != null) {
                request.changeSessionId();
            }
            sessions.saveContext(context, request, response);
        }

        @Override
        @SuppressWarnings("deprecation")
        public SecurityContext loadContext(HttpRequestResponseHolder holder) {
            return sessions.loadContext(holder);
        }

        @Override
        public DeferredSecurityContext loadDeferredContext(HttpServletRequest request) {
            return sessions.loadDeferredContext(request);
        }

        @Override
        public boolean containsContext(HttpServletRequest request) {
            return sessions.containsContext(request);
        }
    }
}
