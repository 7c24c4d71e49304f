-- The command centre: incidents, their timelines, response units and their GPS tracks.
-- `version` columns carry optimistic concurrency: every change names the version it read and
-- bumps it, so two operators dispatching the same unit at once cannot both succeed.

CREATE TABLE incidents (
    id              TEXT PRIMARY KEY,
    incident_type   TEXT NOT NULL,
    source          TEXT NOT NULL,
    priority        BIGINT NOT NULL,
    state           TEXT NOT NULL,
    lon             DOUBLE PRECISION NOT NULL,
    lat             DOUBLE PRECISION NOT NULL,
    inside_district BIGINT NOT NULL,
    town_id         TEXT,
    town_name       TEXT,
    grid_id         TEXT,
    grid_name       TEXT,
    road_id         TEXT,
    road_name       TEXT,
    road_distance_m DOUBLE PRECISION,
    description     TEXT NOT NULL,
    address         TEXT,
    -- The caller's contact is personal data: only the purpose-bound route reads these.
    caller_name     TEXT,
    caller_phone    TEXT,
    received_at     BIGINT NOT NULL,
    dispatched_at   BIGINT,
    en_route_at     BIGINT,
    on_scene_at     BIGINT,
    cleared_at      BIGINT,
    closed_at       BIGINT,
    cancelled_at    BIGINT,
    reopened_at     BIGINT,
    created_by      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX incidents_received ON incidents(received_at);
CREATE INDEX incidents_state ON incidents(state, received_at);

CREATE TABLE incident_timeline (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    action      TEXT,
    from_state  TEXT,
    to_state    TEXT,
    unit_id     TEXT,
    body        TEXT,
    link        TEXT
);
CREATE INDEX incident_timeline_incident ON incident_timeline(incident_id, seq);

CREATE TABLE units (
    id               TEXT PRIMARY KEY,
    call_sign        TEXT NOT NULL,
    kind             TEXT NOT NULL,
    crew             TEXT NOT NULL,
    agency           TEXT NOT NULL,
    status           TEXT NOT NULL,
    device_id        TEXT UNIQUE,
    incident_id      TEXT REFERENCES incidents(id),
    last_fix_at      BIGINT,
    last_lon         DOUBLE PRECISION,
    last_lat         DOUBLE PRECISION,
    last_speed_kmh   DOUBLE PRECISION,
    last_heading_deg DOUBLE PRECISION,
    last_accuracy_m  DOUBLE PRECISION,
    version          BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX units_incident ON units(incident_id);

-- GPS tracks: one row per fix; (unit, time) is the fix's identity, so a re-sent fix is a
-- duplicate. Purged by time (retention).
CREATE TABLE unit_positions (
    unit_id     TEXT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    lat         DOUBLE PRECISION NOT NULL,
    speed_kmh   DOUBLE PRECISION,
    heading_deg DOUBLE PRECISION,
    accuracy_m  DOUBLE PRECISION,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (unit_id, at)
);
CREATE INDEX unit_positions_at ON unit_positions(at);
