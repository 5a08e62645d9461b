package io.statusstream.jdbc.testing;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The databases tests run against, with the coordinates of this project's test servers. Each URL can be overridden
 * with a system property {@code statusstream.test.<name>.url} or an environment variable
 * {@code STATUSSTREAM_TEST_<NAME>_URL} (name {@code h2}, {@code postgres}, {@code mariadb}). Immutable.
 */
public enum TestDatabase {

    /** Embedded, in memory, shared by every test of the JVM; always available. */
    H2("H2", "jdbc:h2:mem:statusstream;DB_CLOSE_DELAY=-1", "sa", "",
            "jdbc:h2:file:./target/no-such-database;IFEXISTS=TRUE", "it is embedded: check that com.h2database:h2 is on the"
            + " test class path"),
    /** PostgreSQL at 127.0.0.1:5432, database {@code test}, user {@code postgres}, trust authentication. */
    POSTGRES("PostgreSQL", "jdbc:postgresql://127.0.0.1:5432/test", "postgres", "",
            "jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2",
            "start it with 'pg_ctlcluster <version> main start' (or docker run -d -p 5432:5432"
                    + " -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:15)"),
    /** MariaDB at 127.0.0.1:3306, database {@code test}, user {@code root} without password. */
    MARIADB("MariaDB", "jdbc:mariadb://127.0.0.1:3306/test", "root", "",
            "jdbc:mariadb://127.0.0.1:1/test?connectTimeout=2000",
            "start it with 'start-stop-daemon --start --background --exec /usr/sbin/mariadbd' and create the"
                    + " database with 'mariadb -uroot -e \"CREATE DATABASE IF NOT EXISTS test\"' (or docker run -d"
                    + " -p 3306:3306 -e MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1 -e MARIADB_DATABASE=test mariadb:10.11)");

    private final String displayName;
    private final String defaultUrl;
    private final String user;
    private final String password;
    private final String unreachableUrl;
    private final String startHint;

    TestDatabase(String displayName, String defaultUrl, String user, String password, String unreachableUrl,
                 String startHint) {
        this.displayName = displayName;
        this.defaultUrl = defaultUrl;
        this.user = user;
        this.password = password;
        this.unreachableUrl = unreachableUrl;
        this.startHint = startHint;
    }

    /** The product name, for messages. */
    public String displayName() {
        return displayName;
    }

    /** The JDBC URL, after overrides. */
    public String url() {
        String key = name().toLowerCase(Locale.ROOT);
        String url = System.getProperty("statusstream.test." + key + ".url");
        if (url == null || url.isBlank()) {
            url = System.getenv("STATUSSTREAM_TEST_" + name() + "_URL");
        }
        return url == null || url.isBlank() ? defaultUrl : url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** A URL of the same driver where nothing listens: connecting fails at once, as when the server is down. */
    public String unreachableUrl() {
        return unreachableUrl;
    }

    /** How to start the server, for the message of a skipped or failed test. */
    public String startHint() {
        return startHint;
    }

    /** Opens a new connection; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user, password);
    }

    /** An unpooled {@code DataSource}: every {@code getConnection()} opens a new connection. */
    public DataSource dataSource() {
        return new DriverManagerDataSource(url(), user, password);
    }

    /** Where the server is, for messages: host and port, or "embedded". */
    public String location() {
        String url = url();
        int start = url.indexOf("//");
        if (this == H2 && start < 0) {
            return "embedded";
        }
        int end = url.indexOf('/', start + 2);
        return start < 0 ? url : url.substring(start + 2, end < 0 ? url.length() : end);
    }
}
