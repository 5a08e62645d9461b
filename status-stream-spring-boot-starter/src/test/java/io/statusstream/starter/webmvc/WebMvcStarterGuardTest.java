package io.statusstream.starter.webmvc;

import io.statusstream.spring.StatusStreamConfigurationException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The Spring MVC starter in an application of another web stack. */
class WebMvcStarterGuardTest {

    private static final AutoConfigurations GUARD = AutoConfigurations.of(WebMvcStarterGuard.class);

    @Test
    void aReactiveApplicationWithTheMvcStarterFailsToStartNamingTheReactiveStarter() {
        new ReactiveWebApplicationContextRunner().withConfiguration(GUARD).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(StatusStreamConfigurationException.class)
                    .hasMessageContaining("reactive (Spring WebFlux) application")
                    .hasMessageContaining("io.statusstream:status-stream-spring-boot-starter-webflux");
        });
    }

    @Test
    void aServletApplicationStartsWithIt() {
        new WebApplicationContextRunner().withConfiguration(GUARD)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(WebMvcStarterGuard.class));
    }

    @Test
    void anApplicationWithoutWebServerIsLeftAlone() {
        new ApplicationContextRunner().withConfiguration(GUARD)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(WebMvcStarterGuard.class));
    }
}
