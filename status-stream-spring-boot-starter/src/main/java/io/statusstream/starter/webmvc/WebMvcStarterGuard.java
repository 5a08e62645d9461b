package io.statusstream.starter.webmvc;

import io.statusstream.spring.StatusStreamConfigurationException;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;

/**
 * Fails the startup of a reactive (Spring WebFlux) application that has the Spring MVC starter
 * ({@code status-stream-spring-boot-starter}) and not the reactive one: without this, its streams would silently not
 * be served. The failure names the artifact to use instead. Backs off when the reactive starter is there too.
 *
 * <p>Not meant to be used directly: Spring Boot applies it as an auto-configuration.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnMissingClass("io.statusstream.starter.webflux.WebFluxStarterGuard")
public final class WebMvcStarterGuard {

    /** The artifact a reactive application needs instead of this starter. */
    static final String REACTIVE_ARTIFACT = "io.statusstream:status-stream-spring-boot-starter-webflux";

    /**
     * Always fails: the application is reactive.
     *
     * @throws StatusStreamConfigurationException always, naming the reactive starter
     */
    public WebMvcStarterGuard() {
        throw new StatusStreamConfigurationException("This is a reactive (Spring WebFlux) application, but it has"
                + " status-stream-spring-boot-starter, the starter for Spring MVC: no stream would be served",
                "Replace io.statusstream:status-stream-spring-boot-starter with " + REACTIVE_ARTIFACT);
    }
}
