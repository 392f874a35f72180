"""The submissions received from the field: applied, waiting in review, or discarded.

One row per instance id (the key Kobo and ODK keep across retries). Answers are kept only while
a submission waits in review, sealed under the submission's own data key (`access.crypto`),
which is destroyed once it is applied or discarded.
"""

FIELD_FORMS_DDL = """
CREATE TABLE IF NOT EXISTS field_submissions (
    instance_id  text PRIMARY KEY,
    form_id      text NOT NULL,
    source       text NOT NULL,
    enumerator   text,
    region       text,
    status       text NOT NULL CHECK (status IN ('received', 'applied', 'review', 'discarded')),
    rule         text,
    reason       text,
    sealed       jsonb,
    answer       jsonb,
    filled_at    timestamptz,
    received_at  timestamptz NOT NULL,
    decided_at   timestamptz,
    decided_by   text,
    CHECK ((sealed IS NOT NULL) = (status = 'review'))
);
CREATE INDEX IF NOT EXISTS field_submissions_in_review
    ON field_submissions (region, received_at) WHERE status = 'review';
CREATE TABLE IF NOT EXISTS field_pulls (
    form_id         text PRIMARY KEY,
    submitted_until timestamptz NOT NULL
);
"""
