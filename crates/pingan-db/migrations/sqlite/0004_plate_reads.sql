-- Plate reads (issue 4): checkpoint bindings, reads, the watch-list (布控), alerts, approvals of
-- queries over old reads, and evidence copied into cases. Times are BIGINT microseconds (UTC);
-- flags BIGINT 0/1; small enumerations are integer codes (pingan-reads defines them); lists are
-- JSON text. Checkpoint positions live in the registry's video_checkpoints (0002).

-- Which registry checkpoint a numeric reads code stands for, and which device may report it.
CREATE TABLE plate_checkpoints (
    code          BIGINT PRIMARY KEY,
    checkpoint_id TEXT,
    device_id     TEXT NOT NULL
);
CREATE INDEX plate_checkpoints_device ON plate_checkpoints(device_id);

-- One row per read; read_id is the idempotency key and the rowid, so rows are stored in id
-- order without a second b-tree. No other index: queries are answered by the in-memory index,
-- retention scans in rowid order (reads arrive roughly in time order).
CREATE TABLE plate_reads (
    read_id        INTEGER PRIMARY KEY,
    ts             BIGINT NOT NULL,
    plate          TEXT NOT NULL,
    raw_plate      TEXT,            -- NULL when equal to plate
    checkpoint     BIGINT NOT NULL,
    lane           BIGINT NOT NULL,
    direction      BIGINT NOT NULL, -- pingan_reads::read::Direction::code
    plate_colour   BIGINT,          -- PlateColour::code
    plate_type     BIGINT,          -- PlateType::code
    confidence     BIGINT NOT NULL, -- 1/10,000
    vehicle_colour TEXT,
    vehicle_type   TEXT,
    vehicle_brand  TEXT,
    image_urls     TEXT             -- JSON array, NULL when none
);

CREATE TABLE plate_watch (
    id            BIGINT PRIMARY KEY,
    target        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    case_ref      TEXT NOT NULL,
    note          TEXT,
    valid_from    BIGINT NOT NULL,
    valid_to      BIGINT NOT NULL,
    receivers     TEXT NOT NULL,    -- JSON {"roles": [...], "users": [...]}
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    approved_by   TEXT,
    approved_at   BIGINT,
    cancelled_by  TEXT,
    cancelled_at  BIGINT,
    cancel_reason TEXT
);

CREATE TABLE plate_alerts (
    id          TEXT PRIMARY KEY,
    entry_id    BIGINT NOT NULL,
    read_id     BIGINT NOT NULL,
    plate       TEXT NOT NULL,
    checkpoint  BIGINT NOT NULL,
    ts          BIGINT NOT NULL,
    kind        TEXT NOT NULL,      -- exact | approximate
    detail      TEXT NOT NULL,      -- JSON: the substituted character for approximate hits
    raised_at   BIGINT NOT NULL,
    acked_by    TEXT,
    acked_at    BIGINT,
    outcome     TEXT,
    outcome_note TEXT,
    UNIQUE (entry_id, read_id)
);
CREATE INDEX plate_alerts_raised ON plate_alerts(raised_at);

CREATE TABLE plate_query_approvals (
    id           TEXT PRIMARY KEY,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    query        TEXT NOT NULL,     -- JSON: the exact query that may run
    purpose      TEXT NOT NULL,
    reference    TEXT,
    status       TEXT NOT NULL,     -- pending | approved | rejected | used
    decided_by   TEXT,
    decided_at   BIGINT,
    used_at      BIGINT
);

-- Reads copied into a case, with where they came from; retention never touches this table.
CREATE TABLE plate_evidence (
    case_ref       TEXT NOT NULL,
    read_id        BIGINT NOT NULL,
    ts             BIGINT NOT NULL,
    plate          TEXT NOT NULL,
    raw_plate      TEXT,
    checkpoint     BIGINT NOT NULL,
    lane           BIGINT NOT NULL,
    direction      BIGINT NOT NULL,
    plate_colour   BIGINT,
    plate_type     BIGINT,
    confidence     BIGINT NOT NULL,
    vehicle_colour TEXT,
    vehicle_type   TEXT,
    vehicle_brand  TEXT,
    image_urls     TEXT,
    device_id      TEXT,
    copied_by      TEXT NOT NULL,
    copied_at      BIGINT NOT NULL,
    purpose        TEXT NOT NULL,
    PRIMARY KEY (case_ref, read_id)
);
