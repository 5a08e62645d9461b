package io.statusstream.spring;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.jdbc.datasource.AbstractDriverBasedDataSource;
import org.springframework.util.ClassUtils;

import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * How a NOTIFY listener opens its own connection: the JDBC URL and connection properties (user, password, the pool's
 * driver properties) that the application's {@code DataSource} was configured with. Read from, in this order, a
 * {@code HikariDataSource} (Boot's default pool), a Spring driver-based {@code DataSource}, or Boot's
 * {@code JdbcConnectionDetails} bean; each only when its class is present. Immutable; {@link #toString} shows no
 * password and no URL query.
 *
 * @param url        the JDBC URL
 * @param properties the connection properties, owned by this record (callers copy before changing)
 * @param origin     where they were read from, for messages
 */
record ListenConnection(String url, Properties properties, String origin) {

    private static final ClassLoader LOADER = ListenConnection.class.getClassLoader();
    private static final boolean HIKARI = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource", LOADER);
    private static final boolean BOOT_JDBC = ClassUtils.isPresent(
            "org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails", LOADER);

    /**
     * Reads the settings.
     *
     * @param dataSource        the application's
     * @param connectionDetails Boot's {@code JdbcConnectionDetails} bean, or {@code null}; typed {@code Object} so
     *                          that this class loads without Boot's JDBC module
     * @return the settings, never {@code null}
     * @throws IllegalStateException if none of the sources says how to connect
     */
    static ListenConnection of(DataSource dataSource, Object connectionDetails) {
        ListenConnection found = HIKARI ? Hikari.of(dataSource) : null;
        if (found == null) {
            found = driverBased(dataSource);
        }
        if (found == null && BOOT_JDBC && connectionDetails != null) {
            found = BootConnectionDetails.of(connectionDetails);
        }
        if (found == null) {
            throw new IllegalStateException("PostgreSQL NOTIFY push listens on a connection of its own, not one of"
                    + " the pool, but how to open one cannot be read from the application's DataSource ("
                    + dataSource.getClass().getName() + "): it is neither a HikariDataSource with a JDBC URL nor a"
                    + " Spring driver-based DataSource, and there is no JdbcConnectionDetails bean. Give the stream"
                    + " PostgresNotifyChangeNotifier.builder(jdbcUrl, properties, channel, keyParser) instead.");
        }
        return found;
    }

    /** The URL without its query string, which may hold a password. */
    String shownUrl() {
        return url.split("\\?")[0];
    }

    @Override
    public String toString() {
        return origin + " (" + shownUrl() + ")";
    }

    private static ListenConnection driverBased(DataSource dataSource) {
        AbstractDriverBasedDataSource driverBased = unwrap(dataSource, AbstractDriverBasedDataSource.class);
        if (driverBased == null || driverBased.getUrl() == null) {
            return null;
        }
        Properties properties = new Properties();
        if (driverBased.getConnectionProperties() != null) {
            properties.putAll(driverBased.getConnectionProperties());
        }
        credentials(properties, driverBased.getUsername(), driverBased.getPassword());
        return new ListenConnection(driverBased.getUrl(), properties,
                driverBased.getClass().getSimpleName() + " of the application");
    }

    private static void credentials(Properties properties, String user, String password) {
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
    }

    private static <T> T unwrap(DataSource dataSource, Class<T> type) {
        if (type.isInstance(dataSource)) {
            return type.cast(dataSource);
        }
        try {
            return dataSource.isWrapperFor(type) ? dataSource.unwrap(type) : null;
        } catch (SQLException notAWrapper) {
            return null;
        }
    }

    /** Loaded only when HikariCP is present. */
    private static final class Hikari {

        static ListenConnection of(DataSource dataSource) {
            HikariDataSource pool = unwrap(dataSource, HikariDataSource.class);
            if (pool == null || pool.getJdbcUrl() == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.putAll(pool.getDataSourceProperties());
            credentials(properties, pool.getUsername(), pool.getPassword());
            String name = pool.getPoolName() == null ? "" : " " + pool.getPoolName();
            return new ListenConnection(pool.getJdbcUrl(), properties, "HikariDataSource" + name);
        }
    }

    /** Loaded only when Boot's JDBC module is present. */
    private static final class BootConnectionDetails {

        static ListenConnection of(Object bean) {
            JdbcConnectionDetails details = (JdbcConnectionDetails) bean;
            Properties properties = new Properties();
            credentials(properties, details.getUsername(), details.getPassword());
            return new ListenConnection(details.getJdbcUrl(), properties,
                    "JdbcConnectionDetails " + details.getClass().getSimpleName());
        }
    }
}
