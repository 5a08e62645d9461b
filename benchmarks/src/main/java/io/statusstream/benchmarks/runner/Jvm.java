package io.statusstream.benchmarks.runner;

import java.nio.file.Path;

/** The JDK and class path the runner itself runs on, which its child processes reuse. */
final class Jvm {

    private Jvm() {
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String jcmd() {
        return Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    }

    static String classPath() {
        return System.getProperty("java.class.path");
    }
}
