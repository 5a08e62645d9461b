package io.statusstream.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import io.statusstream.core.StatusStream;
import io.statusstream.core.StreamStats;
import io.statusstream.jdbc.testing.TcpProxy;
import io.statusstream.spring.StatusStreams;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One instance of {@link ClusterApp}: its own application context, web server port and proxy to Redis, so a test
 * can cut one instance's Redis traffic or kill it without a goodbye. The Lettuce client fails commands at once while
 * disconnected and reconnects every 200 ms, as the module's README recommends.
 */
final class ClusterInstance implements AutoCloseable {

    private final String name;
    private final TcpProxy redis;
    private final ConfigurableApplicationContext context;

    private ClusterInstance(String name, TcpProxy redis, ConfigurableApplicationContext context) {
        this.name = name;
        this.redis = redis;
        this.context = context;
    }

    /** Starts an instance; {@code properties} add to or override the defaults ({@code key=value}). */
    static ClusterInstance start(String name, String table, String prefix, String... properties) throws IOException {
        TcpProxy redis = new TcpProxy(RequiresRedisExtension.HOST, RequiresRedisExtension.PORT);
        List<String> all = new ArrayList<>(List.of(
                "server.port=0",
                "spring.main.banner-mode=off",
                "spring.data.redis.host=127.0.0.1",
                "spring.data.redis.port=" + redis.port(),
                "spring.data.redis.timeout=500ms",
                "spring.data.redis.connect-timeout=500ms",
                "cluster-test.table=" + table,
                "status-stream.cluster.prefix=" + prefix,
                // Longer than the tests' short poll intervals, so a busy machine does not move the lease around;
                // the takeover test sets its own.
                "status-stream.cluster.lease-time=1s",
                // Instances stop as a crash or a plain restart would: their streams end at once, not over 10 s.
                "status-stream.shutdown.drain-period=0"));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ClusterApp.class)
                .initializers(ctx -> {
                    ctx.getBeanFactory().registerSingleton("testClientOptions",
                            (LettuceClientOptionsBuilderCustomizer) options -> options
                                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS));
                    ctx.getBeanFactory().registerSingleton("testClientResources",
                            (ClientResourcesBuilderCustomizer) resources -> resources
                                    .reconnectDelay(Delay.constant(Duration.ofMillis(200))));
                })
                .properties(all.toArray(String[]::new))
                .run();
        return new ClusterInstance(name, redis, context);
    }

    String name() {
        return name;
    }

    StatusStream<Long, ClusterApp.Row> stream() {
        return context.getBean(StatusStreams.class).get("rows");
    }

    StreamStats stats() {
        return stream().stats();
    }

    MeterRegistry meters() {
        return context.getBean(MeterRegistry.class);
    }

    /** Database statements this instance sent so far. */
    int statements() {
        return context.getBean(ClusterApp.Statements.class).count();
    }

    URI streamUri(long... keys) {
        StringBuilder ids = new StringBuilder();
        for (long key : keys) {
            ids.append(ids.isEmpty() ? "" : ",").append(key);
        }
        return URI.create("http://127.0.0.1:" + port() + "/status-streams/rows/status-stream?ids=" + ids);
    }

    StreamClient open(String lastEventId, long... keys) {
        return StreamClient.open(streamUri(keys), lastEventId);
    }

    int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    boolean isRunning() {
        return context.isActive();
    }

    /** Redis traffic of this instance stops: connections reset, new ones refused. */
    void cutRedis() {
        redis.cut();
    }

    void restoreRedis() {
        redis.restore();
    }

    /** Dies without a goodbye: Redis is cut first, so it cannot release its lease or leave the member list. */
    void kill() {
        redis.cut();
        context.close();
        redis.close();
    }

    @Override
    public void close() {
        if (context.isActive()) {
            context.close();
        }
        redis.close();
    }

    @Override
    public String toString() {
        return name + (context.isActive() ? " " + stats().mode() + (stats().clusterPoller() ? " poller" : "") : " dead");
    }
}
