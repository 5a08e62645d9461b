package io.statusstream.example;

/**
 * A bot as its owner configured it.
 *
 * @param id     the bot's id, the stream key
 * @param owner  the user name of its owner
 * @param name   display name
 * @param symbol the traded pair, e.g. {@code BTCUSDT}
 */
public record BotConfig(long id, String owner, String name, String symbol) {
}
