package io.statusstream.example;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * The live state of one bot: the fields of the seed design's status payload. Immutable; equal states send nothing.
 *
 * @param botConfigId     the bot
 * @param status          {@code running}, {@code stopped}, {@code error} or {@code paused}
 * @param inPosition      whether the bot holds a position
 * @param entryPrice      the position's entry price, {@code null} when flat
 * @param dailyPnlUsdt    today's profit and loss in USDT
 * @param dailyTradeCount trades today
 * @param updatedAt       when the row was last written
 */
public record BotState(long botConfigId, String status, boolean inPosition, BigDecimal entryPrice,
                       BigDecimal dailyPnlUsdt, int dailyTradeCount, OffsetDateTime updatedAt) {
}
