"""The copy's tables, created in each service's own database."""

ROSTER_DDL = """
CREATE TABLE IF NOT EXISTS roster_participants (
    participant_id  uuid PRIMARY KEY,
    region          text,            -- NULL until the registration is read
    merged_into     uuid,
    erased_at       timestamptz
);
CREATE TABLE IF NOT EXISTS roster_cases (
    case_id         uuid PRIMARY KEY,
    participant_id  uuid NOT NULL,
    region          text NOT NULL
);
-- When the case was opened (the field's time): what a referral or a voucher of the case may not
-- come before. NULL for a copy built before the column (a replay fills it): nothing to compare.
ALTER TABLE roster_cases ADD COLUMN IF NOT EXISTS opened_at timestamptz;
"""
