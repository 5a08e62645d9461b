package io.statusstream.benchmarks.runner;

import java.io.File;
import java.util.ArrayList;
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
            "spring-boot-reactor-netty-", "spring-boot-starter-reactor-netty-", "jetty-", "spring-boot-jetty-",
            "spring-boot-starter-jetty-")),
    /** The recipe's first step: 1 KB request and response headers. */
    TOMCAT_HEADERS("Tomcat + 1 KB headers", List.of("--server.max-http-request-header-size=1KB",
            "--server.tomcat.max-http-response-header-size=1KB"), TOMCAT.excluded),
    /** The second: also 1 KB socket application buffers (a connector customizer). */
    TOMCAT_SOCKET_BUFFERS("Tomcat + 1 KB headers + 1 KB socket buffers", plus(TOMCAT_HEADERS,
            "--bench.tomcat.socket-buffer-size=1024"), TOMCAT.excluded),
    /**
     * Spring MVC on Tomcat with the starter README's whole many-streams recipe: 1 KB request and response headers,
     * 1 KB socket application buffers and no socket buffer pool.
     */
    TOMCAT_TUNED("MVC on tuned Tomcat", plus(TOMCAT_SOCKET_BUFFERS, "--bench.tomcat.buffer-pool=false"),
            TOMCAT.excluded),
    /** Spring MVC on Jetty with Spring Boot's defaults (Jetty has no connection limit unless one is set). */
    JETTY("MVC on Jetty", List.of(), List.of("spring-boot-starter-webflux-", "spring-webflux-", "reactor-netty-",
            "spring-boot-reactor-netty-", "spring-boot-starter-reactor-netty-", "tomcat-embed-", "spring-boot-tomcat-",
            "spring-boot-starter-tomcat-")),
    /** Spring WebFlux on Reactor Netty: no servlet container, no Spring MVC on the class path. */
    NETTY("WebFlux on Netty", List.of("--spring.main.web-application-type=reactive"), List.of("tomcat-embed-",
            "spring-webmvc-", "spring-boot-webmvc-", "spring-boot-starter-webmvc-", "spring-boot-tomcat-",
            "spring-boot-starter-tomcat-", "jetty-", "spring-boot-jetty-", "spring-boot-starter-jetty-"));

    final String label;
    final List<String> arguments;
    /** Prefixes of the jar file names this stack's server runs without. */
    private final List<String> excluded;

    Stack(String label, List<String> arguments, List<String> excluded) {
        this.label = label;
        this.arguments = arguments;
        this.excluded = excluded;
    }

    /** The stacks of the main comparison; the others are the tuned-Tomcat recipe's intermediate steps. */
    static List<Stack> compared() {
        return List.of(TOMCAT, TOMCAT_TUNED, JETTY, NETTY);
    }

    /** The steps of the tuned-Tomcat recipe, from Tomcat's defaults to the whole recipe. */
    static List<Stack> recipeSteps() {
        return List.of(TOMCAT, TOMCAT_HEADERS, TOMCAT_SOCKET_BUFFERS, TOMCAT_TUNED);
    }

    private static List<String> plus(Stack before, String argument) {
        List<String> arguments = new ArrayList<>(before.arguments);
        arguments.add(argument);
        return List.copyOf(arguments);
    }

    /** The runner's class path without this stack's excluded jars. */
    String classPath(String runnerClassPath) {
        return Arrays.stream(runnerClassPath.split(File.pathSeparator))
                .filter(entry -> excluded.stream().noneMatch(new File(entry).getName()::startsWith))
                .collect(Collectors.joining(File.pathSeparator));
    }
}
