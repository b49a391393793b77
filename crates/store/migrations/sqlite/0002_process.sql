-- The process engine (issue 4), SQLite dialect. Keep in step with ../postgres/0002_process.sql:
-- a test compares the two. Instants are microseconds since the Unix epoch (UTC).

-- What the engine sends a customer carries a key, so a job that runs twice sends it once.
-- (SQLite cannot add a UNIQUE column; the unique index does the same.)
ALTER TABLE messages ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX messages_dedupe ON messages (dedupe_key);

-- Durable work. `key` names the job (scheduling it again replaces it); `generation` counts its
-- schedulings, so finishing a claim of an older generation leaves it pending.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    case_id BIGINT REFERENCES cases (id),
    run_at BIGINT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    generation BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_at BIGINT,
    lease_until BIGINT,
    last_error TEXT
);
CREATE INDEX jobs_claim ON jobs (status, run_at);

-- Append-only: one row per finished run.
CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY,
    job_id BIGINT NOT NULL REFERENCES jobs (id),
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    generation BIGINT NOT NULL,
    worker TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    claimed_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    retry_at BIGINT
);
CREATE INDEX job_runs_finished ON job_runs (finished_at, id);

CREATE TABLE commitments (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    message_id BIGINT REFERENCES messages (id),
    made_by TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    reminded_at BIGINT,
    fulfilled_at BIGINT,
    escalated_at BIGINT
);
CREATE INDEX commitments_case ON commitments (case_id, id);

-- Staff outbox.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    case_id BIGINT REFERENCES cases (id),
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_case ON notifications (case_id, id);

-- Only the SHA-256 of the link's secret is kept.
CREATE TABLE feedback_requests (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    purpose TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    secret_hash BLOB NOT NULL UNIQUE,
    message_id BIGINT NOT NULL REFERENCES messages (id),
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    score BIGINT,
    confirmed BOOLEAN,
    comment TEXT
);
CREATE INDEX feedback_requests_case ON feedback_requests (case_id, id);

CREATE TABLE preventive_actions (
    id INTEGER PRIMARY KEY,
    cause TEXT NOT NULL,
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    -- A civil date, YYYY-MM-DD.
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
