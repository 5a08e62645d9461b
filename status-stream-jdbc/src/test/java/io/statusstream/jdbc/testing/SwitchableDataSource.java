package io.statusstream.jdbc.testing;

import org.springframework.jdbc.datasource.AbstractDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * An unpooled {@code DataSource} that can be switched to a URL where nothing listens, so a test can take the database
 * away and bring it back: while down, every connection attempt is a real, refused connection. Thread-safe.
 */
public final class SwitchableDataSource extends AbstractDataSource {

    private final TestDatabase database;
    private volatile boolean down;

    public SwitchableDataSource(TestDatabase database) {
        this.database = database;
    }

    /** From now on connections are refused. Open connections are not affected. */
    public void goDown() {
        down = true;
    }

    /** From now on connections work again. */
    public void comeBack() {
        down = false;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return DriverManager.getConnection(down ? database.unreachableUrl() : database.url(), database.user(),
                database.password());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public String toString() {
        return "SwitchableDataSource[" + database + (down ? ", down]" : ", up]");
    }
}
