package io.statusstream.example;

import io.statusstream.core.ChangeNotifier;
import io.statusstream.jdbc.JdbcStateSource;
import io.statusstream.spring.AccessDecision;
import io.statusstream.spring.KeyParsers;
import io.statusstream.spring.PostgresNotifications;
import io.statusstream.spring.StreamAccessPolicy;
import io.statusstream.spring.StreamDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.security.Principal;
import java.util.HashMap;
import java.util.Map;
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
                                               PostgresNotifications notifications) {
        return StreamDefinition.builder("bots",
                        JdbcStateSource.forTable(dataSource, "bot_states", "bot_config_id", Long.class, BotRepository.STATE)
                                .build())
                .path("/api/v1/bots")
                // ASCII digits only: Long::valueOf would also take "+7" and "７", many spellings of one key.
                .keyParser(KeyParsers.asciiLong())
                .accessPolicy(new OwnerPolicy(bots))
                // On PostgreSQL a trigger NOTIFYs every write, so changes arrive without waiting for the next poll.
                .changeNotifier(properties.pushNotifications()
                        ? notifications.installTrigger("bot_states", "bot_config_id", CHANNEL)
                                .listen(CHANNEL, Long::valueOf)
                        : ChangeNotifier.none())
                .build();
    }

    /**
     * A user may watch the bots they own. Asked once per stream request, and again for the open streams every
     * {@code status-stream.access-recheck-interval} and when a bot changes owner: one query either way.
     */
    record OwnerPolicy(BotRepository bots) implements StreamAccessPolicy<Long> {

        @Override
        public AccessDecision decide(Principal principal, Set<Long> ids) {
            return BotStreamConfiguration.decide(bots.ownersOf(ids), ids, principal.getName());
        }

        @Override
        public Map<Long, AccessDecision> decideEach(Principal principal, Set<Long> ids) {
            Map<Long, String> owners = bots.ownersOf(ids);
            Map<Long, AccessDecision> decisions = new HashMap<>();
            for (Long id : ids) {
                String owner = owners.get(id);
                decisions.put(id, owner == null ? AccessDecision.NOT_FOUND
                        : owner.equals(principal.getName()) ? AccessDecision.ALLOW : AccessDecision.DENY);
            }
            return decisions;
        }
    }

    static AccessDecision decide(Map<Long, String> owners, Set<Long> ids, String user) {
        if (owners.size() < ids.size()) {
            return AccessDecision.NOT_FOUND;
        }
        return owners.values().stream().allMatch(user::equals) ? AccessDecision.ALLOW : AccessDecision.DENY;
    }

    /**
     * Settings of the example app.
     *
     * @param pushNotifications whether to listen for NOTIFY pushes, installing the trigger once started (PostgreSQL only)
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
