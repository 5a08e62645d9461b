package io.statusstream.spring;

import io.statusstream.jdbc.PostgresNotifyChangeNotifier;

import java.util.function.Function;

/**
 * PostgreSQL {@code LISTEN/NOTIFY} push for {@link StreamDefinition}s, from the application's own {@code DataSource}:
 * declared in one line, with no JDBC URL or credentials to repeat.
 *
 * <pre>{@code
 * @Bean
 * StreamDefinition<Long, BotState> botStream(DataSource dataSource, PostgresNotifications notifications) {
 *     return StreamDefinition.builder("bots", JdbcStateSource.forTable(dataSource, "bot_states", ...).build())
 *             ...
 *             .changeNotifier(notifications.listen("bot_states_changed", Long::valueOf))
 *             .build();
 * }
 * }</pre>
 *
 * <p>The starter declares this bean when the application has one {@code DataSource} and {@code status-stream-jdbc} is
 * on the class path. Each notifier listens on a <em>dedicated</em> connection of its own, opened with the URL, user
 * and password the application's pool was configured with (a {@code HikariDataSource}, a Spring
 * {@code DriverManagerDataSource}/{@code SimpleDriverDataSource}, or Boot's {@code JdbcConnectionDetails}): it takes
 * no slot of the pool. The trigger that sends the notifications is the application's, e.g. from a migration with
 * {@link PostgresNotifyChangeNotifier#triggerDdl}; or opt in to {@link #installTrigger}.
 *
 * <p>Thread-safe. Startup mistakes fail when the notifier is declared, with the reason: a {@code DataSource} that is
 * not PostgreSQL, one whose connection settings cannot be read, no PostgreSQL driver, an invalid name.
 */
public interface PostgresNotifications {

    /**
     * A notifier listening on the channel, on its own connection, with the default reconnect and health-check
     * settings. Shorthand for {@code builder(channel, keyParser).build()}.
     *
     * @param channel   the channel the trigger notifies: lower-case letters, digits and {@code _}
     * @param keyParser turns one payload (the key as text) into a key, e.g. {@code Long::valueOf}; never {@code null}
     * @param <K>       key type
     * @return a new notifier, not started: give it to {@link StreamDefinition.Builder#changeNotifier}, which starts and
     *         closes it
     * @throws IllegalArgumentException if the channel is not such a name
     * @throws IllegalStateException    if the application's database is not PostgreSQL, the PostgreSQL driver is
     *                                  missing, or how to connect cannot be read from the {@code DataSource}
     */
    <K> PostgresNotifyChangeNotifier<K> listen(String channel, Function<? super String, ? extends K> keyParser);

    /**
     * A builder of a notifier listening on the channel, on its own connection, for other reconnect or health-check
     * settings.
     *
     * @param channel   as for {@link #listen}
     * @param keyParser as for {@link #listen}
     * @param <K>       key type
     * @return a new builder, its connection set
     * @throws IllegalArgumentException as for {@link #listen}
     * @throws IllegalStateException    as for {@link #listen}
     */
    <K> PostgresNotifyChangeNotifier.Builder<K> builder(String channel,
                                                        Function<? super String, ? extends K> keyParser);

    /**
     * Opts in to installing the NOTIFY trigger ({@link PostgresNotifyChangeNotifier#installTrigger}) of a table once
     * the application context has started (on {@code ContextRefreshedEvent}, after every bean exists and the streams
     * listen; at once if it has started already). It runs once per table and channel, on a connection borrowed from
     * the application's {@code DataSource}, and is idempotent: restarting the application replaces the trigger with
     * the same one. On commit, every listener of the channel polls every key once, so nothing written before the
     * trigger existed waits for the next poll.
     *
     * <p>If the installation fails (no such table, the user does not own it, a lock not had within 10 s), the
     * application still starts: the failure is logged once at {@code WARN} with its cause, and the streams of that
     * channel see every change at their poll interval, without push.
     *
     * @param table     plain identifier, optionally schema-qualified
     * @param keyColumn the column whose value is the key, sent as text
     * @param channel   as for {@link #listen}, at most 40 characters
     * @return this, so that {@code notifications.installTrigger(table, column, channel).listen(channel, parser)} is one
     *         expression
     * @throws IllegalArgumentException if a name is not valid
     * @throws IllegalStateException    if the application's database is not PostgreSQL
     */
    PostgresNotifications installTrigger(String table, String keyColumn, String channel);
}
