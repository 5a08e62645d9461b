package io.statusstream.example;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The bots and their states, in the {@code bot_configs} and {@code bot_states} tables. Thread-safe. */
@Repository
public class BotRepository {

    static final RowMapper<BotState> STATE = BotRepository::state;

    private final NamedParameterJdbcTemplate jdbc;

    BotRepository(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<BotConfig> findByOwner(String owner) {
        return jdbc.query("SELECT id, owner, name, symbol FROM bot_configs WHERE owner = :owner ORDER BY id",
                Map.of("owner", owner), BotRepository::config);
    }

    public Optional<BotConfig> findById(long id) {
        return jdbc.query("SELECT id, owner, name, symbol FROM bot_configs WHERE id = :id",
                Map.of("id", id), BotRepository::config).stream().findFirst();
    }

    /** The owner of each existing bot among {@code ids}; ids that are no bot are absent. */
    public Map<Long, String> ownersOf(Collection<Long> ids) {
        Map<Long, String> owners = new HashMap<>();
        jdbc.query("SELECT id, owner FROM bot_configs WHERE id IN (:ids)", Map.of("ids", ids),
                (ResultSet row) -> {
                    owners.put(row.getLong("id"), row.getString("owner"));
                });
        return owners;
    }

    public List<BotState> findStates() {
        return jdbc.query("SELECT * FROM bot_states ORDER BY bot_config_id", STATE);
    }

    /** Writes a bot's status; returns whether the bot has a state row. */
    /** @return whether the bot exists */
    public boolean transfer(long id, String newOwner) {
        return jdbc.update("UPDATE bot_configs SET owner = :owner WHERE id = :id",
                new MapSqlParameterSource().addValue("owner", newOwner).addValue("id", id)) == 1;
    }

    public boolean updateStatus(long id, String status, OffsetDateTime now) {
        return jdbc.update("UPDATE bot_states SET status = :status, updated_at = :now WHERE bot_config_id = :id",
                new MapSqlParameterSource().addValue("status", status).addValue("now", now).addValue("id", id)) == 1;
    }

    public void save(BotState state) {
        jdbc.update("UPDATE bot_states SET status = :status, in_position = :inPosition, entry_price = :entryPrice,"
                + " daily_pnl_usdt = :pnl, daily_trade_count = :trades, updated_at = :updatedAt"
                + " WHERE bot_config_id = :id", new MapSqlParameterSource()
                .addValue("status", state.status()).addValue("inPosition", state.inPosition())
                .addValue("entryPrice", state.entryPrice()).addValue("pnl", state.dailyPnlUsdt())
                .addValue("trades", state.dailyTradeCount()).addValue("updatedAt", state.updatedAt())
                .addValue("id", state.botConfigId()));
    }

    public void insert(BotConfig config, BotState state) {
        jdbc.update("INSERT INTO bot_configs (id, owner, name, symbol) VALUES (:id, :owner, :name, :symbol)",
                new MapSqlParameterSource().addValue("id", config.id()).addValue("owner", config.owner())
                        .addValue("name", config.name()).addValue("symbol", config.symbol()));
        jdbc.update("INSERT INTO bot_states (bot_config_id, status, in_position, entry_price, daily_pnl_usdt,"
                + " daily_trade_count, updated_at) VALUES (:id, :status, :inPosition, :entryPrice, :pnl, :trades,"
                + " :updatedAt)", new MapSqlParameterSource()
                .addValue("id", state.botConfigId()).addValue("status", state.status())
                .addValue("inPosition", state.inPosition()).addValue("entryPrice", state.entryPrice())
                .addValue("pnl", state.dailyPnlUsdt()).addValue("trades", state.dailyTradeCount())
                .addValue("updatedAt", state.updatedAt()));
    }

    public boolean isEmpty() {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM bot_configs", Map.of(), Integer.class);
        return count == null || count == 0;
    }

    private static BotConfig config(ResultSet row, int rowNumber) throws SQLException {
        return new BotConfig(row.getLong("id"), row.getString("owner"), row.getString("name"),
                row.getString("symbol"));
    }

    private static BotState state(ResultSet row, int rowNumber) throws SQLException {
        return new BotState(row.getLong("bot_config_id"), row.getString("status"), row.getBoolean("in_position"),
                row.getBigDecimal("entry_price"), row.getBigDecimal("daily_pnl_usdt"),
                row.getInt("daily_trade_count"), row.getObject("updated_at", OffsetDateTime.class));
    }
}
