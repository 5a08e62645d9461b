package io.statusstream.benchmarks.runner;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Changes M rows per second, round robin over the keys, in ten statements per second
 * ({@code UPDATE ... WHERE id = ANY(?)}), each stamping the rows with the wall clock in microseconds so clients can
 * measure change-to-client latency. Runs on its own thread with its own connection.
 */
final class RowWriter implements AutoCloseable {

    private static final int TICKS_PER_SECOND = 10;
    private static final String UPDATE = "UPDATE " + BenchDatabase.TABLE + " SET version = version + 1,"
            + " written_at_micros = ?, daily_pnl = daily_pnl + 0.25, trades_today = trades_today + 1,"
            + " status = CASE WHEN status = 'RUNNING' THEN 'PAUSED' ELSE 'RUNNING' END WHERE id = ANY(?)";

    private final Connection connection;
    private final int keys;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private long nextKey;
    private double owed;

    RowWriter(int keys) throws SQLException {
        this.connection = BenchDatabase.connect();
        this.keys = keys;
    }

    /** Starts writing {@code rowsPerSecond} rows per second (fractions carry over between ticks). */
    void start(int rowsPerSecond) {
        double perTick = (double) rowsPerSecond / TICKS_PER_SECOND;
        ticker.scheduleAtFixedRate(() -> tick(perTick), 0, 1000 / TICKS_PER_SECOND, TimeUnit.MILLISECONDS);
    }

    private void tick(double perTick) {
        owed += perTick;
        int rows = (int) owed;
        if (rows == 0) {
            return;
        }
        owed -= rows;
        Long[] ids = new Long[Math.min(rows, keys)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = nextKey % keys + 1;
            nextKey++;
        }
        try {
            write(ids);
        } catch (SQLException failure) {
            throw new IllegalStateException("the benchmark writer failed", failure);
        }
    }

    /** Stops the periodic writes and waits for a running one. */
    void stop() throws InterruptedException {
        ticker.shutdown();
        ticker.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Sets every row to {@code version}, the state every client must end at. */
    void writeFinal(long version) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + BenchDatabase.TABLE
                + " SET version = ?, written_at_micros = ?")) {
            update.setLong(1, version);
            update.setLong(2, nowMicros());
            update.executeUpdate();
        }
    }

    private void write(Long[] ids) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
            Array array = connection.createArrayOf("bigint", ids);
            update.setLong(1, nowMicros());
            update.setArray(2, array);
            update.executeUpdate();
        }
    }

    private static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    @Override
    public void close() throws SQLException {
        ticker.shutdownNow();
        connection.close();
    }
}
