"""The cases service's own tables beside the event store.

`participants` and `cases` are read models updated in the same transaction as the events.
Personal data lives only here: `participants.personal` and `case_notes.body` hold ciphertexts
under the participant's data key (`participant_keys`), so erasing that key shreds them all;
`participant_identifiers` holds keyed blind indexes of document and phone numbers for lookup.
"""

from access.participant_keys import PARTICIPANT_KEYS_DDL

CASES_DDL = (
    PARTICIPANT_KEYS_DDL
    + """
CREATE TABLE IF NOT EXISTS participants (
    participant_id    uuid PRIMARY KEY,
    region            text NOT NULL,
    sex               text NOT NULL,
    birth_year_month  text NOT NULL,
    nationality       text NOT NULL,
    personal          jsonb NOT NULL DEFAULT '{}',
    merged_into       uuid,
    erased_at         timestamptz,
    registered_at     timestamptz NOT NULL,
    version           integer NOT NULL
);
CREATE TABLE IF NOT EXISTS participant_identifiers (
    participant_id  uuid NOT NULL REFERENCES participants,
    kind            text NOT NULL,
    match           text NOT NULL,
    digest          text NOT NULL,
    PRIMARY KEY (participant_id, kind, match)
);
CREATE INDEX IF NOT EXISTS participant_identifiers_by_digest
    ON participant_identifiers (digest);
CREATE TABLE IF NOT EXISTS cases (
    case_id                 uuid PRIMARY KEY,
    participant_id          uuid NOT NULL,
    case_type               text NOT NULL,
    intake_channel          text NOT NULL,
    regularization_profile  text,
    urgency                 text NOT NULL,
    region                  text NOT NULL,
    caseworker_id           uuid NOT NULL,
    status                  text NOT NULL,
    closure_reason          text,
    opened_at               timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    version                 integer NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_by_region ON cases (region, status, opened_at);
CREATE INDEX IF NOT EXISTS cases_by_caseworker ON cases (caseworker_id, status);
CREATE INDEX IF NOT EXISTS cases_by_participant ON cases (participant_id);
CREATE TABLE IF NOT EXISTS case_notes (
    note_id         uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES cases,
    participant_id  uuid NOT NULL,
    written_by      uuid NOT NULL,
    written_at      timestamptz NOT NULL,
    body            text NOT NULL
);
CREATE INDEX IF NOT EXISTS case_notes_by_case ON case_notes (case_id, written_at);
CREATE INDEX IF NOT EXISTS events_by_participant ON events ((data->>'participant_id'));
"""
)
