package io.statusstream.jdbc.testing;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class (or method) that needs a database server. Before it runs, the server is checked with a real
 * connection (once per JVM and database). If it cannot be reached the test is <em>skipped</em> with a reason that
 * says how to start the server, unless services are required (system property
 * {@code statusstream.requireServices=true}, or environment variable {@code STATUSSTREAM_REQUIRE_SERVICES=true}, as in
 * CI), in which case it <em>fails</em> with that reason.
 *
 * <p>Inherited, so an abstract contract test's subclass only names its database:
 * {@code @RequiresDatabase(TestDatabase.POSTGRES) class PostgresJdbcStateSourceTest extends ...}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RequiresDatabaseExtension.class)
public @interface RequiresDatabase {

    /** The database the test needs. */
    TestDatabase value();
}
