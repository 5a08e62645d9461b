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

    /** Maps the current row of a result set that selected {@link #COLUMNS}. */
    public static BotState fromRow(ResultSet row, int rowNumber) throws SQLException {
        return new BotState(row.getLong(1), row.getString(2), row.getBoolean(3), row.getBigDecimal(4),
                row.getBigDecimal(5), row.getInt(6), row.getLong(7), row.getLong(8));
    }
}
