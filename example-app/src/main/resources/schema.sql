-- TradeBot example schema: the seed design's bot configurations and their live state.
CREATE TABLE IF NOT EXISTS bot_configs (
    id      BIGINT       PRIMARY KEY,
    owner   VARCHAR(64)  NOT NULL,
    name    VARCHAR(100) NOT NULL,
    symbol  VARCHAR(20)  NOT NULL
);

CREATE TABLE IF NOT EXISTS bot_states (
    bot_config_id     BIGINT         PRIMARY KEY REFERENCES bot_configs (id),
    status            VARCHAR(16)    NOT NULL,
    in_position       BOOLEAN        NOT NULL,
    entry_price       DECIMAL(18, 8),
    daily_pnl_usdt    DECIMAL(18, 2) NOT NULL,
    daily_trade_count INT            NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT bot_states_status CHECK (status IN ('running', 'stopped', 'error', 'paused'))
);
