package io.statusstream.jdbc.testing;

import org.springframework.jdbc.datasource.DelegatingDataSource;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@code DataSource} that counts the SQL statements executed through the connections it hands out, and remembers
 * their text: the real database does the work, the wrapper only counts. Thread-safe.
 */
public final class CountingDataSource extends DelegatingDataSource {

    private static final Set<String> EXECUTIONS = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final List<String> executed = new ArrayList<>();

    public CountingDataSource(DataSource target) {
        super(target);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(super.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(super.getConnection(username, password));
    }

    /** Statements executed since the last {@link #reset()}. */
    public synchronized int statements() {
        return executed.size();
    }

    /** Their SQL, in order. */
    public synchronized List<String> sql() {
        return List.copyOf(executed);
    }

    /** Starts counting from zero. */
    public synchronized void reset() {
        executed.clear();
    }

    private synchronized void record(String sql) {
        executed.add(sql);
    }

    private Connection wrap(Connection connection) {
        return proxy(Connection.class, connection, (target, method, args) -> {
            Object result = invoke(target, method, args);
            if (result instanceof PreparedStatement prepared && method.getName().startsWith("prepare")) {
                String sql = (String) args[0];
                return proxy(PreparedStatement.class, prepared, (statement, call, callArgs) -> {
                    if (EXECUTIONS.contains(call.getName())) {
                        record(callArgs == null || callArgs.length == 0 ? sql : (String) callArgs[0]);
                    }
                    return invoke(statement, call, callArgs);
                });
            }
            if (result instanceof Statement plain && method.getName().equals("createStatement")) {
                return proxy(Statement.class, plain, (statement, call, callArgs) -> {
                    if (EXECUTIONS.contains(call.getName())) {
                        record(callArgs == null || callArgs.length == 0 ? "batch" : String.valueOf(callArgs[0]));
                    }
                    return invoke(statement, call, callArgs);
                });
            }
            return result;
        });
    }

    @FunctionalInterface
    private interface Handler<T> {
        Object handle(T target, Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, T target, Handler<T> handler) {
        InvocationHandler invocation = (proxy, method, args) -> {
            if (method.getName().equals("unwrap") && args != null && args[0] instanceof Class<?> wanted
                    && wanted.isInstance(proxy)) {
                return proxy;
            }
            return handler.handle(target, method, args);
        };
        return type.cast(Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), new Class<?>[]{type},
                invocation));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException failure) {
            throw failure.getCause();
        }
    }
}
