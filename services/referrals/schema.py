"""The referrals service's own tables beside the event store.

`receiving_units` is the administered directory; `referrals` a read model kept in step with the
events in the same transaction; `referral_shared_data` holds the shared minimum, encrypted per
field under the participant's data key (`participant_keys`); `referral_consents` is this
service's copy of consent, fed by the cases service's events (never by reading its database).
"""

from access.participant_keys import PARTICIPANT_KEYS_DDL

REFERRALS_DDL = """
CREATE TABLE IF NOT EXISTS receiving_units (
    unit_id             uuid PRIMARY KEY,
    name                text NOT NULL,
    destination         text NOT NULL,
    region              text NOT NULL,
    handover_contact    jsonb NOT NULL,
    has_system_account  boolean NOT NULL,
    active              boolean NOT NULL DEFAULT true,
    UNIQUE (name, region)
);
CREATE TABLE IF NOT EXISTS referrals (
    referral_id      uuid PRIMARY KEY,
    case_id          uuid NOT NULL,
    participant_id   uuid NOT NULL,
    destination      text NOT NULL,
    unit_id          uuid NOT NULL REFERENCES receiving_units,
    region           text NOT NULL,
    urgency          text NOT NULL,
    assistance_type  text NOT NULL,
    reason           text NOT NULL,
    consent_id       uuid NOT NULL,
    status           text NOT NULL,
    requested_at     timestamptz NOT NULL,
    respond_by       timestamptz NOT NULL,
    overdue_at       timestamptz,
    answered_at      timestamptz,
    answer_channel   text,
    answerer_role    text,
    rejection_reason text,
    outcome          text,
    closed_at        timestamptz,
    cancellation_reason text,
    version          integer NOT NULL
);
CREATE INDEX IF NOT EXISTS referrals_by_unit ON referrals (unit_id, requested_at);
CREATE INDEX IF NOT EXISTS referrals_by_region ON referrals (region, status, requested_at);
CREATE INDEX IF NOT EXISTS referrals_waiting_by_deadline ON referrals (respond_by)
    WHERE status = 'requested';
CREATE TABLE IF NOT EXISTS referral_shared_data (
    referral_id     uuid PRIMARY KEY REFERENCES referrals,
    participant_id  uuid NOT NULL,
    consent_id      uuid NOT NULL,
    sealed_fields   jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS shared_data_by_consent ON referral_shared_data (consent_id);
CREATE TABLE IF NOT EXISTS referral_consents (
    consent_id      uuid NOT NULL,
    purpose         text NOT NULL,
    participant_id  uuid NOT NULL,
    given_at        timestamptz,
    withdrawn_at    timestamptz,
    destinations    text[] NOT NULL DEFAULT '{}',  -- empty: every destination
    PRIMARY KEY (consent_id, purpose)
);
CREATE INDEX IF NOT EXISTS consents_by_participant ON referral_consents (participant_id);
"""

ALL_DDL = (PARTICIPANT_KEYS_DDL, REFERRALS_DDL)
