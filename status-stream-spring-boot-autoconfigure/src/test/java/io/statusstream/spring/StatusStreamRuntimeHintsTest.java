package io.statusstream.spring;

import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** An AOT-processed (or native) application gets what the starter uses reflectively or as a resource. */
class StatusStreamRuntimeHintsTest {

    private final RuntimeHints hints = new RuntimeHints();

    StatusStreamRuntimeHintsTest() {
        new StatusStreamRuntimeHints().registerHints(hints, getClass().getClassLoader());
    }

    @Test
    void isRegisteredForSpringAot() {
        assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
                .load(RuntimeHintsRegistrar.class)).hasAtLeastOneElementOfType(StatusStreamRuntimeHints.class);
    }

    @Test
    void theBrowserClientIsAResourceOfTheImage() {
        assertThat(getClass().getClassLoader().getResource(StatusStreamRuntimeHints.CLIENT_SCRIPT)).isNotNull();
        assertThat(RuntimeHintsPredicates.resource().forResource(StatusStreamRuntimeHints.CLIENT_SCRIPT)).accepts(hints);
    }

    @Test
    void theHandlerMethodsSpringMvcInvokesMayBeInvoked() {
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(StreamEndpoint.SINGLE_KEY)).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(StreamEndpoint.MULTI_KEY)).accepts(hints);
    }

    @Test
    void thePropertiesAndTheirNestedRecordsCanBeBound() {
        for (Class<?> type : new Class<?>[] {StatusStreamProperties.class, StatusStreamProperties.Stream.class,
                StatusStreamProperties.Cors.class}) {
            assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(type.getDeclaredConstructors()[0]))
                    .as(type.getSimpleName()).accepts(hints);
        }
    }
}
