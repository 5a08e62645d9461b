package io.statusstream.spring;

import com.zaxxer.hikari.HikariDataSource;
import io.statusstream.jdbc.JdbcStateSource;
import io.statusstream.jdbc.PostgresNotifyChangeNotifier;
import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;
import io.statusstream.spring.ReliabilityApplication.Table;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

import static io.statusstream.spring.DatabaseOutageTests.occurrences;
import static io.statusstream.spring.Drive.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * NOTIFY push declared in one line from the application's own {@code DataSource} (a Hikari pool, as Boot makes), over
 * real HTTP and a real PostgreSQL. The poll interval is an hour wherever a prompt delivery is asserted, so only a
 * notification can explain it.
 */
@RequiresDatabase(TestDatabase.POSTGRES)
@ExtendWith(OutputCaptureExtension.class)
class PostgresNotificationsTests {

    static final String TABLE = "push_rows";
    static final String CHANNEL = TABLE + "_changed";
    static final String LISTENER = "status-stream-listen:" + CHANNEL;
    static final Duration WAIT = Duration.ofSeconds(10);

    Table table;
    ConfigurableApplicationContext application;

    @BeforeEach
    void createTable() throws SQLException {
        table = new Table(TABLE, 3);
    }

    @AfterEach
    void stop() throws SQLException {
        if (application != null) {
            application.close();
        }
        table.close();
    }

    @Test
    void aStreamDeclaringNotifyInOneLineGetsAWritePushedWithoutWaitingForItsPollInterval() throws SQLException {
        installTriggerAsAMigrationWould();
        start("status-stream.poll-interval=1h");
        until(() -> connections(LISTENER) == 1, () -> { }, WAIT);

        try (TestStream stream = client().open("/rows/1/status-stream")) {
            assertThat(stream.expectSnapshot("1").state()).isEqualTo("0");
            table.set(1, 7, "");
            assertThat(stream.expectChange("1").state()).as("pushed: the next poll is an hour away").isEqualTo("7");
        }
        assertThat(application.getBean(HikariDataSource.class).getHikariPoolMXBean().getActiveConnections())
                .as("the listener holds no connection of the pool").isZero();
    }

    @Test
    void theOptInTriggerIsInstalledOnceTheApplicationHasStartedAndThenPushes(CapturedOutput output)
            throws SQLException {
        start("status-stream.poll-interval=1h", "push.install-trigger=" + TABLE);

        assertThat(application.getBean(TriggerProbe.class).atStartup.get())
                .as("no trigger while the beans were created").isFalse();
        assertThat(triggerExists()).as("installed once the context had started").isTrue();
        assertThat(output).contains("Installed the NOTIFY trigger of table " + TABLE);
        until(() -> connections(LISTENER) == 1, () -> { }, WAIT);
        try (TestStream stream = client().open("/rows/2/status-stream")) {
            stream.expectSnapshot("2");
            table.set(2, 5, "");
            assertThat(stream.expectChange("2").state()).isEqualTo("5");
        }
    }

    @Test
    void aTriggerThatCannotBeInstalledIsReportedOnceAndTheStreamStillSeesChangesByPolling(CapturedOutput output)
            throws SQLException {
        start("status-stream.poll-interval=200ms", "push.install-trigger=" + TABLE + "_misspelt");

        String log = output.toString();
        assertThat(occurrences(log, "Could not install the NOTIFY trigger of table " + TABLE + "_misspelt"))
                .as("reported once:%n%s", log).isEqualTo(1);
        assertThat(log).contains("see its changes at their poll interval");
        assertThat(triggerExists()).isFalse();
        try (TestStream stream = client().open("/rows/3/status-stream")) {
            stream.expectSnapshot("3");
            table.set(3, 9, "");
            assertThat(stream.expectChange("3").state()).as("by the poll").isEqualTo("9");
        }
    }

    private void start(String... properties) {
        application = new SpringApplicationBuilder(PushApplication.class)
                .properties("server.port=0", "spring.main.banner-mode=off")
                .properties(properties)
                .run();
    }

    private StatusStreamClient client() {
        return StatusStreamClient.forPort(application.getEnvironment().getRequiredProperty("local.server.port",
                Integer.class));
    }

    private void installTriggerAsAMigrationWould() throws SQLException {
        PostgresNotifyChangeNotifier.installTrigger(TestDatabase.POSTGRES.dataSource(), TABLE,
                "id", CHANNEL);
    }

    private boolean triggerExists() {
        return PushApplication.triggerExists(TestDatabase.POSTGRES.dataSource());
    }

    private int connections(String applicationName) {
        try {
            return table.connections(applicationName);
        } catch (SQLException failure) {
            throw new IllegalStateException(failure);
        }
    }

    /** An application as a user writes it: Boot's kind of pool, one stream, NOTIFY in one line. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class PushApplication {

        @Bean(destroyMethod = "close")
        HikariDataSource dataSource() {
            HikariDataSource pool = new HikariDataSource();
            pool.setJdbcUrl(TestDatabase.POSTGRES.url());
            pool.setUsername(TestDatabase.POSTGRES.user());
            pool.setPassword(TestDatabase.POSTGRES.password());
            pool.setMaximumPoolSize(2);
            pool.addDataSourceProperty("ApplicationName", "status-stream-push-test");
            return pool;
        }

        @Bean
        StreamDefinition<Long, Long> rowStream(DataSource dataSource, PostgresNotifications notifications,
                                               @Value("${push.install-trigger:}") String triggerTable) {
            return StreamDefinition.builder("rows", JdbcStateSource.forTable(dataSource, TABLE, "id", Long.class,
                            (row, number) -> row.getLong("version")).build())
                    .path("/rows")
                    .keyParser(Long::valueOf)
                    .publicAccess()
                    .changeNotifier(triggerTable.isEmpty()
                            ? notifications.listen(CHANNEL, Long::valueOf)
                            : notifications.installTrigger(triggerTable, "id", CHANNEL).listen(CHANNEL, Long::valueOf))
                    .build();
        }

        @Bean
        TriggerProbe triggerProbe() {
            return new TriggerProbe();
        }

        static boolean triggerExists(DataSource dataSource) {
            return new JdbcTemplate(dataSource).queryForObject(
                    "SELECT COUNT(*) FROM pg_trigger WHERE tgname = ?", Integer.class, "status_stream_" + CHANNEL) > 0;
        }
    }

    /** Looks for the trigger once every bean exists, before the context has finished starting. */
    static final class TriggerProbe implements SmartInitializingSingleton {

        final AtomicReference<Boolean> atStartup = new AtomicReference<>();

        @Override
        public void afterSingletonsInstantiated() {
            atStartup.set(PushApplication.triggerExists(TestDatabase.POSTGRES.dataSource()));
        }
    }
}
