package io.statusstream.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.statusstream.core.StreamStats;
import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Three real instances of an application (own contexts, ports and Redis connections, one JVM) on one PostgreSQL
 * table and one Redis, in cluster mode: what a load balancer in front of them would show browsers.
 */
@RequiresRedis
@RequiresDatabase(TestDatabase.POSTGRES)
class ClusterModeTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final String table = "cluster_rows_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    private final String prefix = "status-stream-test-" + table;
    private final List<ClusterInstance> instances = new ArrayList<>();
    private final List<StreamClient> clients = new ArrayList<>();

    @BeforeEach
    void createTable() throws SQLException {
        sql("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, version BIGINT NOT NULL)");
    }

    @AfterEach
    void tearDown() throws SQLException {
        clients.forEach(StreamClient::close);
        instances.forEach(ClusterInstance::close);
        sql("DROP TABLE IF EXISTS " + table);
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
             StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = connection.sync().keys(prefix + "*");
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(String[]::new));
            }
        }
    }

    @Test
    void threeInstancesSendTheStatementsOfOneAndFanOutToAllTheirStreams() throws Exception {
        insertRows(30);
        startInstances("status-stream.streams.rows.poll-interval=250ms", "status-stream.streams.rows.batch-size=10");
        awaitOneCluster();
        for (int i = 0; i < 300; i++) {
            clients.add(instances.get(i % 3).open(null, i % 30 + 1, (i * 7) % 30 + 1));
        }
        awaitEveryClientShows(1);

        ClusterInstance poller = poller();
        Map<ClusterInstance, Integer> before = statementsByInstance();
        long roundsBefore = polls(poller);
        long redisRequestsBefore = redisRequests();
        await().atMost(PATIENCE).until(() -> polls(poller) >= roundsBefore + 8);
        long rounds = polls(poller) - roundsBefore;
        Map<ClusterInstance, Integer> after = statementsByInstance();
        long redisRequests = redisRequests() - redisRequestsBefore;

        for (ClusterInstance instance : instances) {
            int sent = after.get(instance) - before.get(instance);
            if (instance != poller) {
                assertThat(sent).as("statements of %s, not the poller", instance).isZero();
            } else {
                // ceil(30 keys / batch of 10) = 3 statements per interval: what one instance alone sends. A round
                // may be in flight at either end of the window (its first statements sent, not yet counted).
                assertThat(sent).as("statements of the poller %s over %d rounds", instance, rounds)
                        .isBetween(3 * (int) rounds - 2, 3 * (int) rounds + 2);
            }
        }
        System.out.printf("cluster of 3, 300 streams, 30 keys, batch 10: %d rounds, database statements per round"
                        + " %.2f (one instance alone: 3), Redis requests per round %.1f (all instances)%n",
                rounds, (after.get(poller) - before.get(poller)) / (double) rounds, redisRequests / (double) rounds);

        updateAll(30, 2);
        awaitEveryClientShows(2);
    }

    @Test
    void touchOnOneInstanceReachesAClientOfAnother() throws Exception {
        insertRows(3);
        startInstances("status-stream.streams.rows.poll-interval=1h", "status-stream.cluster.lease-time=1s");
        awaitOneCluster();
        ClusterInstance a = instances.get(0);
        ClusterInstance c = instances.get(2);
        StreamClient browser = track(c.open(null, 2));
        await().atMost(PATIENCE).until(() -> browser.version(2) == 1);

        update(2, 2);
        a.stream().touch(2L);

        // The next periodic poll is an hour away: only the hint from A can have brought it.
        await().atMost(PATIENCE).until(() -> browser.version(2) == 2);
        assertThat(browser.received()).extracting(StreamClient.Received::kind).containsExactly("snapshot", "change");
    }

    @Test
    void touchingAKeyNobodyWatchesPutsNothingInTheSharedLog() throws Exception {
        insertRows(3);
        startInstances("status-stream.streams.rows.poll-interval=1h", "status-stream.cluster.lease-time=1s");
        awaitOneCluster();
        StreamClient browser = track(instances.get(2).open(null, 1));
        await().atMost(PATIENCE).until(() -> browser.version(1) == 1);

        update(1, 2);
        update(3, 2);
        instances.get(0).stream().touch(List.of(1L, 3L));
        await().atMost(PATIENCE).until(() -> browser.version(1) == 2);

        assertThat(redisLogKeys()).containsOnly("1");
    }

    @Test
    void anInstanceWhoseRegistrationVanishedRegistersAgainAndKeepsGettingChanges() throws Exception {
        insertRows(5);
        startInstances("status-stream.streams.rows.poll-interval=250ms");
        awaitOneCluster();
        for (int i = 0; i < 15; i++) {
            clients.add(instances.get(i % 3).open(null, i % 5 + 1));
        }
        awaitEveryClientShows(1);

        // As if every instance had paused longer than its registration lives (or Redis evicted the keys).
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
             StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> registrations = connection.sync().keys(prefix + ":{rows}:keys:*");
            registrations.add(prefix + ":{rows}:members");
            connection.sync().del(registrations.toArray(String[]::new));
        }
        updateAll(5, 2);

        awaitEveryClientShows(2);
    }

    @Test
    void reconnectingToAnotherInstanceReplaysTheMissedChangesInOrder() throws Exception {
        insertRows(2);
        startInstances("status-stream.streams.rows.poll-interval=1h", "status-stream.cluster.lease-time=1s");
        awaitOneCluster();
        ClusterInstance a = instances.get(0);
        ClusterInstance b = instances.get(1);
        ClusterInstance c = instances.get(2);
        StreamClient first = a.open(null, 1, 2);
        await().atMost(PATIENCE).until(() -> first.versions().equals(Map.of(1L, 1L, 2L, 1L)));
        String lastEventId = first.lastEventId();
        first.close();

        StreamClient observer = track(b.open(null, 1, 2));
        await().atMost(PATIENCE).until(() -> observer.versions().size() == 2);
        changeAndAwait(b, observer, 1, 2);
        changeAndAwait(b, observer, 2, 2);
        changeAndAwait(b, observer, 1, 3);
        long newest = b.stats().lastEventSeq();
        await().atMost(PATIENCE).until(() -> c.stats().lastEventSeq() == newest);

        // C never watched keys 1 and 2: it replays from the shared history in Redis.
        StreamClient elsewhere = track(c.open(lastEventId, 1, 2));
        await().atMost(PATIENCE).until(() -> elsewhere.received().size() >= 3);
        assertThat(elsewhere.received()).extracting(StreamClient.Received::kind, StreamClient.Received::key,
                        StreamClient.Received::version)
                .containsExactly(tuple("change", 1L, 2L),
                        tuple("change", 2L, 2L),
                        tuple("change", 1L, 3L));
        assertThat(elsewhere.received()).extracting(StreamClient.Received::id)
                .containsExactlyElementsOf(observer.received().subList(2, 5).stream()
                        .map(StreamClient.Received::id).toList());

        // B watched them all along: it replays from its own ring, with the same ids.
        StreamClient sameKeysInstance = track(b.open(lastEventId, 1, 2));
        await().atMost(PATIENCE).until(() -> sameKeysInstance.received().size() >= 3);
        assertThat(sameKeysInstance.received()).isEqualTo(elsewhere.received());
    }

    @Test
    void whenThePollerDiesAnotherTakesOverAndClientsConvergeWithoutRepeats() throws Exception {
        insertRows(20);
        startInstances("status-stream.streams.rows.poll-interval=500ms", "status-stream.cluster.lease-time=500ms");
        awaitOneCluster();
        for (int i = 0; i < 90; i++) {
            clients.add(instances.get(i % 3).open(null, i % 20 + 1));
        }
        awaitEveryClientShows(1);
        ClusterInstance dead = poller();
        List<ClusterInstance> survivors = new ArrayList<>(instances);
        survivors.remove(dead);

        dead.kill();
        long killedAt = System.nanoTime();
        updateAll(20, 2);
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10))
                .until(() -> survivors.stream().anyMatch(instance -> instance.stats().clusterPoller()));
        System.out.printf("poller killed (lease 500 ms, interval 500 ms): a survivor held the lease after %d ms%n",
                Duration.ofNanos(System.nanoTime() - killedAt).toMillis());

        List<StreamClient> surviving = clients.stream().filter(client -> !client.ended()).toList();
        assertThat(surviving).hasSize(60);
        await().atMost(PATIENCE).until(() -> surviving.stream().allMatch(client -> client.versions().values()
                .stream().allMatch(version -> version == 2)));
        for (StreamClient client : surviving) {
            assertThat(client.received()).as("%s", client)
                    .extracting(StreamClient.Received::kind, StreamClient.Received::version)
                    .containsExactly(tuple("snapshot", 1L),
                            tuple("change", 2L));
        }
        await().atMost(PATIENCE).until(() -> redisMembers() == 2);
    }

    @Test
    void whenRedisIsCutInstancesPollAloneAndTheClusterReformsWhenItIsBack() throws Exception {
        insertRows(10);
        startInstances("status-stream.streams.rows.poll-interval=250ms");
        awaitOneCluster();
        for (int i = 0; i < 30; i++) {
            clients.add(instances.get(i % 3).open(null, i % 10 + 1));
        }
        awaitEveryClientShows(1);

        instances.forEach(ClusterInstance::cutRedis);
        await().atMost(PATIENCE).until(() -> instances.stream()
                .allMatch(instance -> instance.stats().mode() == StreamStats.Mode.LOCAL_FALLBACK));
        assertThat(instances).allSatisfy(instance -> {
            assertThat(instance.stats().clusterFailure()).isNotBlank();
            assertThat(gauge(instance, "status.stream.cluster.shared")).isZero();
        });
        updateAll(10, 2);
        awaitEveryClientShows(2);

        instances.forEach(ClusterInstance::restoreRedis);
        awaitOneCluster();
        updateAll(10, 3);
        awaitEveryClientShows(3);

        assertThat(clients).noneMatch(StreamClient::ended);
        for (StreamClient client : clients) {
            assertThat(client.received()).as("%s", client).extracting(StreamClient.Received::version)
                    .containsExactly(1L, 2L, 3L);
        }
        ClusterInstance poller = poller();
        Map<ClusterInstance, Integer> before = statementsByInstance();
        long rounds = polls(poller);
        await().atMost(PATIENCE).until(() -> polls(poller) >= rounds + 3);
        for (ClusterInstance instance : instances) {
            if (instance != poller) {
                assertThat(instance.statements()).as("%s polls no more", instance).isEqualTo(before.get(instance));
            }
        }
    }

    @Test
    void anIdleInstanceStaysInTheClusterWhenItsCommandTimeoutIsShorterThanTheLease() throws Exception {
        insertRows(1);
        // A blocking read of the log longer than the command timeout would time out at every idle read.
        instances.add(ClusterInstance.start("A", table, prefix, "status-stream.streams.rows.poll-interval=1s",
                "spring.data.redis.timeout=300ms"));
        awaitOneCluster();
        ClusterInstance a = instances.get(0);
        clients.add(a.open(null, 1));
        awaitEveryClientShows(1);
        long rounds = polls(a);

        await().atMost(PATIENCE).until(() -> polls(a) >= rounds + 3);

        assertThat(a.meters().get("status.stream.cluster.mode.changes").tag("mode", "local_fallback").counter()
                .count()).isZero();
        assertThat(a.stats().mode()).isEqualTo(StreamStats.Mode.CLUSTER);
    }

    // ------------------------------------------------------------------------------------------------ fixtures

    private void startInstances(String... properties) throws IOException {
        for (String name : List.of("A", "B", "C")) {
            instances.add(ClusterInstance.start(name, table, prefix, properties));
        }
    }

    private void awaitOneCluster() {
        await().atMost(PATIENCE).until(() -> instances.stream().filter(ClusterInstance::isRunning)
                .allMatch(instance -> instance.stats().mode() == StreamStats.Mode.CLUSTER)
                && instances.stream().filter(ClusterInstance::isRunning)
                .filter(instance -> instance.stats().clusterPoller()).count() == 1);
    }

    private ClusterInstance poller() {
        return await().atMost(PATIENCE).until(() -> instances.stream().filter(ClusterInstance::isRunning)
                .filter(instance -> instance.stats().clusterPoller()).findFirst(), Optional::isPresent).orElseThrow();
    }

    private void awaitEveryClientShows(long version) {
        await().atMost(PATIENCE).until(() -> clients.stream().allMatch(client -> client.status() == 200
                && !client.versions().isEmpty()
                && client.versions().values().stream().allMatch(shown -> shown == version)));
    }

    private void changeAndAwait(ClusterInstance instance, StreamClient observer, long key, long version)
            throws SQLException {
        update(key, version);
        instance.stream().touch(key);
        await().atMost(PATIENCE).until(() -> observer.version(key) == version);
    }

    private StreamClient track(StreamClient client) {
        clients.add(client);
        return client;
    }

    private Map<ClusterInstance, Integer> statementsByInstance() {
        Map<ClusterInstance, Integer> statements = new HashMap<>();
        instances.forEach(instance -> statements.put(instance, instance.statements()));
        return statements;
    }

    private static long polls(ClusterInstance instance) {
        return instance.meters().get("status.stream.polls").tag("stream", "rows").timer().count();
    }

    private static double gauge(ClusterInstance instance, String name) {
        return instance.meters().get(name).tag("stream", "rows").gauge().value();
    }

    private long redisMembers() {
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
             StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().zcard(prefix + ":{rows}:members");
        }
    }

    /** The keys of every event in the shared log. */
    private List<String> redisLogKeys() {
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
             StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().xrange(prefix + ":{rows}:log", io.lettuce.core.Range.create("-", "+")).stream()
                    .map(message -> message.getBody().get("k")).toList();
        }
    }

    /** Requests clients sent to Redis: scripts and log reads (commands run inside scripts not counted). */
    private static long redisRequests() {
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
             StatefulRedisConnection<String, String> connection = client.connect()) {
            long requests = 0;
            for (String line : connection.sync().info("commandstats").split("\r?\n")) {
                if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")
                        || line.startsWith("cmdstat_xread:")) {
                    int from = line.indexOf("calls=") + "calls=".length();
                    requests += Long.parseLong(line.substring(from, line.indexOf(',', from)));
                }
            }
            return requests;
        }
    }

    private void insertRows(int count) throws SQLException {
        try (Connection connection = TestDatabase.POSTGRES.connect();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " VALUES (?, 1)")) {
            for (long id = 1; id <= count; id++) {
                insert.setLong(1, id);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private void update(long id, long version) throws SQLException {
        try (Connection connection = TestDatabase.POSTGRES.connect();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE " + table + " SET version = ? WHERE id = ?")) {
            update.setLong(1, version);
            update.setLong(2, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    private void updateAll(int count, long version) throws SQLException {
        sql("UPDATE " + table + " SET version = " + version + " WHERE id <= " + count);
    }

    private static void sql(String statement) throws SQLException {
        try (Connection connection = TestDatabase.POSTGRES.connect(); Statement jdbc = connection.createStatement()) {
            jdbc.execute(statement);
        }
    }
}
