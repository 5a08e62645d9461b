package io.statusstream.starter.webflux;

import io.statusstream.spring.StatusStreamConfigurationException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The reactive starter in an application of another web stack. */
class WebFluxStarterGuardTest {

    private static final AutoConfigurations GUARD = AutoConfigurations.of(WebFluxStarterGuard.class);

    @Test
    void aServletApplicationWithTheReactiveStarterFailsToStartNamingTheMvcStarter() {
        new WebApplicationContextRunner().withConfiguration(GUARD).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(StatusStreamConfigurationException.class)
                    .hasMessageContaining("servlet (Spring MVC) application")
                    .hasMessageContaining("io.statusstream:status-stream-spring-boot-starter ");
        });
    }

    @Test
    void aReactiveApplicationStartsWithIt() {
        new ReactiveWebApplicationContextRunner().withConfiguration(GUARD)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(WebFluxStarterGuard.class));
    }

    @Test
    void anApplicationWithoutWebServerIsLeftAlone() {
        new ApplicationContextRunner().withConfiguration(GUARD)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(WebFluxStarterGuard.class));
    }
}
