package io.statusstream.redis;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test only where Redis answers at {@value RequiresRedisExtension#HOST}:{@value RequiresRedisExtension#PORT};
 * skipped with the reason and how to start it otherwise, or failed when services are required (as {@code .ci/run}
 * requires them).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresRedisExtension.class)
public @interface RequiresRedis {
}
