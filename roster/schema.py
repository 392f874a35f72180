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
"""
