package io.statusstream.example;

import io.statusstream.example.BotStreamConfiguration.TradeBotProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Simulated trading: every interval one running bot opens or closes a position, changing its PnL and trade count.
 * It writes the table directly, as a separate trading process would, without telling the stream: the stream's poll
 * (or, on PostgreSQL, the NOTIFY trigger) picks the change up. Switch it off with
 * {@code tradebot.simulator.enabled=false}.
 */
@Component
class Simulator implements SmartLifecycle {

    private final BotRepository bots;
    private final TradeBotProperties.Simulator settings;
    private final Clock clock;
    private final Random random = new Random();
    private ScheduledExecutorService executor;

    Simulator(BotRepository bots, TradeBotProperties properties, Clock clock) {
        this.bots = bots;
        this.settings = properties.simulator();
        this.clock = clock;
    }

    @Override
    public void start() {
        if (settings.enabled() && executor == null) {
            executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "tradebot-simulator");
                thread.setDaemon(true);
                return thread;
            });
            long millis = settings.interval().toMillis();
            executor.scheduleWithFixedDelay(this::tradeQuietly, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void tradeQuietly() {
        try {
            trade();
        } catch (RuntimeException e) {
            // The database may be gone (a test stopping it, shutdown): the next tick tries again.
        }
    }

    void trade() {
        List<BotState> running = bots.findStates().stream().filter(state -> state.status().equals("running")).toList();
        if (running.isEmpty()) {
            return;
        }
        BotState bot = running.get(random.nextInt(running.size()));
        OffsetDateTime now = OffsetDateTime.now(clock);
        if (bot.inPosition()) {
            BigDecimal pnl = BigDecimal.valueOf(random.nextGaussian() * 25).setScale(2, RoundingMode.HALF_UP);
            bots.save(new BotState(bot.botConfigId(), bot.status(), false, null, bot.dailyPnlUsdt().add(pnl),
                    bot.dailyTradeCount() + 1, now));
        } else {
            BigDecimal price = BigDecimal.valueOf(100 + random.nextDouble() * 60_000).setScale(2, RoundingMode.HALF_UP);
            bots.save(new BotState(bot.botConfigId(), bot.status(), true, price, bot.dailyPnlUsdt(),
                    bot.dailyTradeCount(), now));
        }
    }

    @Override
    public void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
