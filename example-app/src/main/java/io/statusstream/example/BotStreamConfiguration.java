package io.statusstream.example;

import io.statusstream.core.ChangeNotifier;
import io.statusstream.jdbc.JdbcStateSource;
import io.statusstream.jdbc.PostgresNotifyChangeNotifier;
import io.statusstream.spring.AccessDecision;
import io.statusstream.spring.KeyParsers;
import io.statusstream.spring.StreamDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import javax.sql.DataSource;
import java.security.Principal;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The one stream of the app: {@code bot_states} rows, keyed by bot id, at {@code /api/v1/bots}. A user may watch
 * only their own bots: another user's bot is 403, an unknown one 404.
 */
@Configuration(proxyBeanMethods = false)
class BotStreamConfiguration {

    static final String CHANNEL = "bot_states_changed";

    @Bean
    StreamDefinition<Long, BotState> botStream(DataSource dataSource, BotRepository bots, TradeBotProperties properties,
                                               Environment environment) throws SQLException {
        return StreamDefinition.builder("bots",
                        JdbcStateSource.forTable(dataSource, "bot_states", "bot_config_id", Long.class, BotRepository.STATE)
                                .build())
                .path("/api/v1/bots")
                // ASCII digits only: Long::valueOf would also take "+7" and "７", many spellings of one key.
                .keyParser(KeyParsers.asciiLong())
                .accessPolicy((Principal principal, Set<Long> ids) -> decide(bots.ownersOf(ids), ids, principal.getName()))
                .changeNotifier(notifier(dataSource, properties, environment))
                .build();
    }

    static AccessDecision decide(Map<Long, String> owners, Set<Long> ids, String user) {
        if (owners.size() < ids.size()) {
            return AccessDecision.NOT_FOUND;
        }
        return owners.values().stream().allMatch(user::equals) ? AccessDecision.ALLOW : AccessDecision.DENY;
    }

    /** On PostgreSQL a trigger NOTIFYs every write, so changes arrive without waiting for the next poll. */
    private static ChangeNotifier<Long> notifier(DataSource dataSource, TradeBotProperties properties,
                                                 Environment environment) throws SQLException {
        if (!properties.pushNotifications()) {
            return ChangeNotifier.none();
        }
        PostgresNotifyChangeNotifier.installTrigger(dataSource, "bot_states", "bot_config_id", CHANNEL);
        // Its own connection from the same URL, so the listener takes no slot of the application's pool.
        Properties credentials = new Properties();
        credentials.setProperty("user", environment.getRequiredProperty("spring.datasource.username"));
        credentials.setProperty("password", environment.getProperty("spring.datasource.password", ""));
        return PostgresNotifyChangeNotifier.<Long>builder(environment.getRequiredProperty("spring.datasource.url"),
                credentials, CHANNEL, Long::valueOf).build();
    }

    /**
     * Settings of the example app.
     *
     * @param pushNotifications whether to install a NOTIFY trigger and listen (PostgreSQL only)
     * @param simulator the simulated trading activity
     */
    @ConfigurationProperties("tradebot")
    record TradeBotProperties(@DefaultValue("false") boolean pushNotifications, @DefaultValue Simulator simulator) {

        /**
         * @param enabled  whether bots change by themselves
         * @param interval how often one running bot trades
         */
        record Simulator(@DefaultValue("true") boolean enabled, @DefaultValue("700ms") java.time.Duration interval) {
        }
    }
}
