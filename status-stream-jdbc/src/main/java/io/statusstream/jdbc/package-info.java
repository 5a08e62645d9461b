/**
 * JDBC state sources and PostgreSQL push hints for the status-stream engine.
 *
 * <ul>
 *   <li>{@link io.statusstream.jdbc.JdbcStateSource}: any table or query as a batched
 *       {@link io.statusstream.core.StateSource}, one statement per chunk of keys, keys always bound;</li>
 *   <li>{@link io.statusstream.jdbc.SqlDialect}: how keys are bound, detected from the connection;</li>
 *   <li>{@link io.statusstream.jdbc.PostgresNotifyChangeNotifier}: {@code LISTEN/NOTIFY} hints and the trigger that
 *       sends them.</li>
 * </ul>
 *
 * <p>Version-column change detection needs no class of its own: map the column into the state and give the engine
 * {@code ChangeDetector.byVersion(State::version)}; a write that does not bump the version then sends nothing.
 */
package io.statusstream.jdbc;
