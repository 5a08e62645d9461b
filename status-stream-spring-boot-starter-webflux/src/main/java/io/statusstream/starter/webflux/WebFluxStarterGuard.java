package io.statusstream.starter.webflux;

import io.statusstream.spring.StatusStreamConfigurationException;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;

/**
 * Fails the startup of a servlet (Spring MVC) application that has the reactive starter
 * ({@code status-stream-spring-boot-starter-webflux}) and not the Spring MVC one: without this, its streams would
 * silently not be served (Spring Boot runs an application that has both Spring MVC and WebFlux as a servlet one).
 * The failure names the artifact to use instead. Backs off when the Spring MVC starter is there too.
 *
 * <p>Not meant to be used directly: Spring Boot applies it as an auto-configuration.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnMissingClass("io.statusstream.starter.webmvc.WebMvcStarterGuard")
public final class WebFluxStarterGuard {

    /** The artifact a servlet application needs instead of this starter. */
    static final String SERVLET_ARTIFACT = "io.statusstream:status-stream-spring-boot-starter";

    /**
     * Always fails: the application is a servlet one.
     *
     * @throws StatusStreamConfigurationException always, naming the Spring MVC starter
     */
    public WebFluxStarterGuard() {
        throw new StatusStreamConfigurationException("This is a servlet (Spring MVC) application, but it has"
                + " status-stream-spring-boot-starter-webflux, the starter for reactive applications: no stream would"
                + " be served", "Replace io.statusstream:status-stream-spring-boot-starter-webflux with "
                + SERVLET_ARTIFACT + " (or, for a reactive application, set spring.main.web-application-type=reactive)");
    }
}
