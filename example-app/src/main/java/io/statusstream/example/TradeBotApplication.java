package io.statusstream.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The TradeBot dashboard: bots whose live state ({@code bot_states}) streams to their owners' browsers. Runs on
 * embedded H2 with no setup; the {@code postgres} profile uses PostgreSQL and its {@code LISTEN/NOTIFY} pushes.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TradeBotApplication {

    public static void main(String[] args) {
        SpringApplication.run(TradeBotApplication.class, args);
    }
}
