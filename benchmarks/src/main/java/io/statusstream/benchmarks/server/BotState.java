package io.statusstream.benchmarks.server;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One row of the benchmark's {@code bench_bot_states} table: the seed's payload (status, position, entry price,
 * daily PnL, trades today) plus {@code version}, bumped by every write, and {@code writtenAtMicros}, the writer's
 * wall clock at the write, from which clients compute change-to-client latency. Immutable.
 */
public record BotState(long id, String status, boolean inPosition, BigDecimal entryPrice, BigDecimal dailyPnl,
                       int tradesToday, long version, long writtenAtMicros) {

    /** The columns, in the order {@link #fromRow} reads them. */
    public static final String COLUMNS =
            "id, status, in_position, entry_price, daily_pnl, trades_today, version, written_at_micros";

    /**
     * A condition both designs add to their reads so that PostgreSQL counts them: an uncommon but exact statement
     * counter. The uncorrelated sub-select becomes a one-time filter, so {@code nextval} runs once per statement,
     * whatever the number of rows or keys; sequences are not transactional, so the runner sees the count at once.
     * PostgreSQL 15's own statistics do not do: {@code pg_stat_user_tables.idx_scan} counts an {@code = ANY(?)} scan
     * once per array element, and a session that runs a statement every second has its {@code pg_stat_database}
     * counters flushed only once it idles for 10 s, or after 60 s.
     */
    public static final String COUNTED = "(SELECT nextval('bench_state_reads')) > 0";

    /** Maps the current row of a result set that selected {@link #COLUMNS}. */
    public static BotState fromRow(ResultSet row, int rowNumber) throws SQLException {
        return new BotState(row.getLong(1), row.getString(2), row.getBoolean(3), row.getBigDecimal(4),
                row.getBigDecimal(5), row.getInt(6), row.getLong(7), row.getLong(8));
    }
}
