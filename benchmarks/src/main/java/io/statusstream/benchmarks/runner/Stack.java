package io.statusstream.benchmarks.runner;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The web stack a benchmark server runs on. The runner's class path holds all of them; each stack's server JVM gets
 * it without the jars of the stacks it does not use, so that the process holds only its own server's classes and
 * Spring Boot picks its server the way it would in a user's application.
 */
enum Stack {

    /** Spring MVC on Tomcat with Spring Boot's defaults (only {@code max-connections} raised, for N above 8,192). */
    TOMCAT("MVC on Tomcat", List.of(), List.of("spring-boot-starter-webflux-", "spring-webflux-", "reactor-netty-",
            "spring-boot-reactor-netty-", "spring-boot-starter-reactor-netty-")),
    /**
     * Spring MVC on Tomcat with the starter README's many-streams recipe: 1 KB request and response headers, 1 KB
     * socket application buffers and no socket buffer pool ({@code bench.tomcat.tuned}, a connector customizer).
     */
    TOMCAT_TUNED("MVC on tuned Tomcat", List.of("--server.max-http-request-header-size=1KB",
            "--server.tomcat.max-http-response-header-size=1KB", "--bench.tomcat.tuned=true"), TOMCAT.excluded),
    /** Spring WebFlux on Reactor Netty: no servlet container, no Spring MVC on the class path. */
    NETTY("WebFlux on Netty", List.of("--spring.main.web-application-type=reactive"), List.of("tomcat-embed-",
            "spring-webmvc-", "spring-boot-webmvc-", "spring-boot-starter-webmvc-", "spring-boot-tomcat-",
            "spring-boot-starter-tomcat-"));

    final String label;
    final List<String> arguments;
    /** Prefixes of the jar file names this stack's server runs without. */
    private final List<String> excluded;

    Stack(String label, List<String> arguments, List<String> excluded) {
        this.label = label;
        this.arguments = arguments;
        this.excluded = excluded;
    }

    /** The runner's class path without this stack's excluded jars. */
    String classPath(String runnerClassPath) {
        return Arrays.stream(runnerClassPath.split(File.pathSeparator))
                .filter(entry -> excluded.stream().noneMatch(new File(entry).getName()::startsWith))
                .collect(Collectors.joining(File.pathSeparator));
    }
}
