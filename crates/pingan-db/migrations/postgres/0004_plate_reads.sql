-- Plate reads (issue 4): checkpoint bindings, reads, the watch-list (布控), alerts, approvals of
-- queries over old reads, and evidence copied into cases. Times are BIGINT microseconds (UTC);
-- flags BIGINT 0/1; small enumerations are integer codes (pingan-reads defines them); lists are
-- JSON text. Checkpoint positions live in the registry's video_checkpoints (0002).

-- Which registry checkpoint a numeric reads code stands for, and which device may report it.
CREATE TABLE plate_checkpoints (
    code          BIGINT PRIMARY KEY,
    checkpoint_id TEXT COLLATE "C",
    device_id     TEXT NOT NULL
);
CREATE INDEX plate_checkpoints_device ON plate_checkpoints(device_id);

-- One row per read, partitioned by UTC day on ts; the partitions (plate_reads_pYYYYMMDD) are
-- created ahead by the server and dropped whole by retention. A partitioned table's unique key
-- must contain the partition key, so (read_id, ts) is the key: a re-sent read (same id, same
-- time) is a duplicate as on SQLite; a device reusing an id for another time is not detected
-- here (it is on SQLite), which the docs state.
CREATE TABLE plate_reads (
    read_id        BIGINT NOT NULL,
    ts             BIGINT NOT NULL,
    plate          TEXT COLLATE "C" NOT NULL,
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
    PRIMARY KEY (read_id, ts)
) PARTITION BY RANGE (ts);

CREATE TABLE plate_watch (
    id            BIGINT PRIMARY KEY,
    target        TEXT COLLATE "C" NOT NULL,
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
    id          TEXT COLLATE "C" PRIMARY KEY,
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
    id           TEXT COLLATE "C" PRIMARY KEY,
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
    case_ref       TEXT COLLATE "C" NOT NULL,
    read_id        BIGINT NOT NULL,
    ts             BIGINT NOT NULL,
    plate          TEXT COLLATE "C" NOT NULL,
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
