package io.statusstream.jdbc.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The check behind {@link RequiresDatabase}: skips or fails (see there) when the database cannot be reached. The
 * outcome of each check is kept in the root store, so each server is probed once per test run.
 */
public final class RequiresDatabaseExtension implements BeforeEachCallback {

    /** System property that turns a skip into a failure; the root pom passes it to surefire. */
    public static final String REQUIRE_SERVICES_PROPERTY = "statusstream.requireServices";
    /** Environment variable with the same effect, as set by {@code .ci/run}. */
    public static final String REQUIRE_SERVICES_ENV = "STATUSSTREAM_REQUIRE_SERVICES";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RequiresDatabaseExtension.class);

    /** Checked per test, not per class, so that each skipped test is reported as skipped, with the reason. */
    @Override
    public void beforeEach(ExtensionContext context) {
        Optional<RequiresDatabase> required = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(),
                RequiresDatabase.class);
        if (required.isEmpty()) {
            required = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), RequiresDatabase.class);
        }
        if (required.isEmpty()) {
            return;
        }
        TestDatabase database = required.get().value();
        String problem = context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent(database, RequiresDatabaseExtension::probe, String.class);
        if (problem.isEmpty()) {
            return;
        }
        if (servicesRequired()) {
            Assertions.fail(problem + " Services are required here (" + REQUIRE_SERVICES_PROPERTY + "=true or "
                    + REQUIRE_SERVICES_ENV + "=true), so this is a failure, not a skip.");
        }
        Assumptions.abort(problem + " Skipping; set " + REQUIRE_SERVICES_ENV + "=true to make this a failure.");
    }

    /** Whether a missing server fails the test instead of skipping it. */
    public static boolean servicesRequired() {
        return Boolean.parseBoolean(System.getProperty(REQUIRE_SERVICES_PROPERTY))
                || Boolean.parseBoolean(System.getenv(REQUIRE_SERVICES_ENV));
    }

    /** Empty if the database answers, else a sentence saying what is wrong and how to fix it. */
    private static String probe(TestDatabase database) {
        try (Connection connection = database.connect()) {
            if (connection.isValid(5)) {
                return "";
            }
            return unreachable(database, "the connection is not valid");
        } catch (SQLException failure) {
            String cause = String.valueOf(failure.getMessage()).strip();
            return unreachable(database, cause.endsWith(".") ? cause.substring(0, cause.length() - 1) : cause);
        }
    }

    private static String unreachable(TestDatabase database, String cause) {
        return database.displayName() + " not reachable at " + database.location() + " (" + database.url()
                + ", user " + database.user() + "): " + cause + ". To run this test, " + database.startHint() + ".";
    }
}
