"""The vouchers service's own tables beside the event store.

`vouchers` and `redemptions` are read models updated in the same transaction as the events
(so a 2xx answer and the tables agree); `providers` and `budgets` are administered directories.
Codes live only here: they are bearer secrets, never published in events.
"""

VOUCHERS_DDL = """
CREATE TABLE IF NOT EXISTS providers (
    provider_id   uuid PRIMARY KEY,
    name          text NOT NULL,
    region        text NOT NULL,
    kind          text NOT NULL,
    services      text[] NOT NULL,
    active        boolean NOT NULL DEFAULT true
);
CREATE TABLE IF NOT EXISTS budgets (
    region        text NOT NULL,
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    amount        numeric(12, 2) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (region, period_start),
    CHECK (period_end >= period_start)
);
CREATE TABLE IF NOT EXISTS vouchers (
    voucher_id      uuid PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    participant_id  uuid NOT NULL,
    case_id         uuid NOT NULL,
    provider_id     uuid,
    region          text NOT NULL,
    services        text[] NOT NULL,
    amount          numeric(12, 2) NOT NULL,
    redeemed        numeric(12, 2) NOT NULL DEFAULT 0,
    allows_partial  boolean NOT NULL,
    status          text NOT NULL,
    issued_at       timestamptz NOT NULL,
    valid_until     timestamptz NOT NULL,
    version         integer NOT NULL
);
CREATE INDEX IF NOT EXISTS vouchers_open_by_expiry ON vouchers (valid_until)
    WHERE status IN ('active', 'awaiting_approval');
CREATE TABLE IF NOT EXISTS redemptions (
    redemption_id   uuid PRIMARY KEY,
    voucher_id      uuid NOT NULL REFERENCES vouchers,
    provider_id     uuid NOT NULL,
    participant_id  uuid NOT NULL,
    amount          numeric(12, 2) NOT NULL,
    services        text[] NOT NULL,
    receipt_number  text NOT NULL,
    region          text NOT NULL,
    redeemed_at     timestamptz NOT NULL,
    reversed_at     timestamptz
);
CREATE INDEX IF NOT EXISTS redemptions_by_provider ON redemptions (provider_id, redeemed_at);
CREATE UNIQUE INDEX IF NOT EXISTS redemptions_receipt_per_provider
    ON redemptions (provider_id, receipt_number) WHERE reversed_at IS NULL;
"""
