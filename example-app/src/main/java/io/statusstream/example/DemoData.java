package io.statusstream.example;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;

/** Two demo users with a few bots each, inserted once into an empty database. */
@Component
class DemoData implements ApplicationRunner {

    private final BotRepository bots;
    private final Clock clock;

    DemoData(BotRepository bots, Clock clock) {
        this.bots = bots;
        this.clock = clock;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!bots.isEmpty()) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now(clock);
        bot(1, "alice", "Momentum BTC", "BTCUSDT", "running", now);
        bot(2, "alice", "Mean reversion ETH", "ETHUSDT", "running", now);
        bot(3, "alice", "Grid SOL", "SOLUSDT", "paused", now);
        bot(4, "alice", "Breakout BNB", "BNBUSDT", "stopped", now);
        bot(5, "bob", "Scalper BTC", "BTCUSDT", "running", now);
        bot(6, "bob", "Swing ADA", "ADAUSDT", "stopped", now);
        bot(7, "bob", "Trend XRP", "XRPUSDT", "error", now);
    }

    private void bot(long id, String owner, String name, String symbol, String status, OffsetDateTime now) {
        bots.insert(new BotConfig(id, owner, name, symbol),
                new BotState(id, status, false, null, new BigDecimal("0.00"), 0, now));
    }
}
