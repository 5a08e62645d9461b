package io.statusstream.benchmarks.server;

import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The baseline: the seed design, faithfully. Every connected client gets its own loop that selects its bot's row,
 * compares the payload with the last one it sent, sends it on change, and sleeps for the interval (a fixed delay,
 * like the seed's {@code await asyncio.sleep(2)} after each round). The loops share a pool as large as the
 * connection pool, the equivalent of the seed's event loop with an async session. The envelope is the library's, so
 * the same client parses both.
 */
@RestController
@ConditionalOnProperty(name = "bench.mode", havingValue = "baseline")
@ConditionalOnWebApplication(type = Type.SERVLET)
class SeedPollingController {

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final String select;
    private final Duration interval;
    private final ScheduledExecutorService loops;

    SeedPollingController(JdbcTemplate jdbc, JsonMapper json, @Value("${bench.table}") String table,
                          @Value("${bench.baseline.interval:1s}") Duration interval,
                          @Value("${spring.datasource.hikari.maximum-pool-size:16}") int threads) {
        this.jdbc = jdbc;
        this.json = json;
        this.select = "SELECT " + BotState.COLUMNS + " FROM " + table + " WHERE id = ? AND " + BotState.COUNTED;
        this.interval = interval;
        this.loops = Executors.newScheduledThreadPool(threads);
    }

    @GetMapping("/seed/bots/{id}/status-stream")
    SseEmitter statusStream(@PathVariable long id) {
        SseEmitter emitter = new SseEmitter(0L);
        ClientLoop loop = new ClientLoop(id, emitter);
        loop.future = loops.scheduleWithFixedDelay(loop, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        emitter.onCompletion(loop::stop);
        emitter.onError(failure -> loop.stop());
        return emitter;
    }

    @PreDestroy
    void stop() {
        loops.shutdownNow();
    }

    /** One client's polling loop; runs on one pool thread at a time (fixed delay), so its fields need no locking. */
    private final class ClientLoop implements Runnable {

        private final long id;
        private final SseEmitter emitter;
        private volatile ScheduledFuture<?> future;
        private String lastPayload;

        ClientLoop(long id, SseEmitter emitter) {
            this.id = id;
            this.emitter = emitter;
        }

        @Override
        public void run() {
            try {
                BotState state = jdbc.query(select, BotState::fromRow, id).stream().findFirst().orElse(null);
                String payload = json.writeValueAsString(state);
                if (!payload.equals(lastPayload)) {
                    String kind = lastPayload == null ? "snapshot" : "change";
                    emitter.send(SseEmitter.event().data("{\"key\":\"" + id + "\",\"kind\":\"" + kind
                            + "\",\"state\":" + payload + "}"));
                    lastPayload = payload;
                }
            } catch (IOException | IllegalStateException clientGone) {
                stop();
            } catch (RuntimeException queryFailed) {
                // The seed logs and keeps streaming; the next round tries again.
            }
        }

        void stop() {
            ScheduledFuture<?> running = future;
            if (running != null) {
                running.cancel(false);
            }
        }
    }
}
