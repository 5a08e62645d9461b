package io.statusstream.spring;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

import java.util.List;

/**
 * What an ahead-of-time processed application (Spring AOT, GraalVM native image) needs from the starter beyond what
 * Spring derives from its bean definitions: the browser client served as a static resource, the two handler methods
 * Spring MVC invokes reflectively ({@code StreamEndpoint.singleKey} and {@code multiKey}, registered by hand rather
 * than found through annotations), and the binding of {@code status-stream.*} onto {@link StatusStreamProperties}
 * and its nested records. Problem bodies are written as text and need nothing. Registered in
 * {@code META-INF/spring/aot.factories}. Stateless; thread-safe.
 */
final class StatusStreamRuntimeHints implements RuntimeHintsRegistrar {

    static final String CLIENT_SCRIPT = "META-INF/resources/status-stream/status-stream.js";

    // By name: loading StreamEndpoint would need the servlet API, which only a servlet application has.
    private static final TypeReference ENDPOINT = TypeReference.of("io.statusstream.spring.StreamEndpoint");
    private static final TypeReference REQUEST = TypeReference.of("jakarta.servlet.http.HttpServletRequest");

    @Override
    public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
        hints.resources().registerPattern(CLIENT_SCRIPT);
        hints.reflection().registerType(ENDPOINT, type -> type
                .withMethod("singleKey", List.of(TypeReference.of(String.class), REQUEST), ExecutableMode.INVOKE)
                .withMethod("multiKey", List.of(REQUEST), ExecutableMode.INVOKE));
        BindableRuntimeHintsRegistrar.forTypes(StatusStreamProperties.class).registerHints(hints, classLoader);
    }
}
