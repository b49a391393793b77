-- Calmdesk schema, SQLite dialect. Keep in step with ../postgres/0001_initial.sql: a test compares
-- the two. Instants are microseconds since the Unix epoch (UTC); lists are JSON text.

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    language TEXT,
    annual_value_minor BIGINT,
    annual_value_currency TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX customers_email ON customers (email);
CREATE INDEX customers_phone ON customers (phone);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    categories TEXT NOT NULL,
    languages TEXT NOT NULL
);

CREATE TABLE agents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    department_id BIGINT REFERENCES departments (id),
    phone TEXT,
    email TEXT,
    languages TEXT NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    channel TEXT NOT NULL,
    subject TEXT NOT NULL,
    category TEXT,
    cause TEXT,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    resolution TEXT,
    safety_flag BOOLEAN NOT NULL,
    assignee_id BIGINT REFERENCES agents (id),
    department_id BIGINT REFERENCES departments (id),
    language TEXT,
    remedy_sought TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    resolved_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX cases_status ON cases (status, id);
CREATE INDEX cases_assignee ON cases (assignee_id, id);
CREATE INDEX cases_department ON cases (department_id, id);
CREATE INDEX cases_customer ON cases (customer_id, id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    direction TEXT NOT NULL,
    channel TEXT NOT NULL,
    author TEXT,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_case ON messages (case_id, id);

CREATE TABLE incident_records (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    problem TEXT NOT NULL,
    discussions TEXT NOT NULL,
    solution TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Append-only: rows are only ever inserted.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX events_case ON events (case_id, id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    secret_hash BLOB NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Search: one document per case (rowid = case id) holding the distinct tokens that
-- text::search_tokens made from the subject, the customer's name and every message. The tokens
-- are already folded, so FTS5 must neither fold nor split them: only spaces and control
-- characters separate tokens, and diacritics are kept.
CREATE VIRTUAL TABLE case_search USING fts5 (
    tokens,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* M* N* P* S* Co'"
);
