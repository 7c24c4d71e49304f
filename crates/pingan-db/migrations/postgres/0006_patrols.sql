-- Text keys use the C collation so that ordering matches SQLite's.
-- The patrol programme: shift plans (drafts and published), the visits a published plan sends
-- each unit on, confirmed from the unit's GPS, and the officers' field logs (append-only;
-- a correction is a new row naming the one it corrects).

CREATE TABLE patrol_plans (
    id            TEXT COLLATE "C" PRIMARY KEY,
    name          TEXT NOT NULL,
    state         TEXT NOT NULL,
    start_at      BIGINT NOT NULL,
    end_at        BIGINT NOT NULL,
    seed          BIGINT NOT NULL,
    -- The planner's whole input and answer, as JSON: rules, spots, crews, routes, quality.
    body          TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    published_by  TEXT,
    published_at  BIGINT,
    version       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX patrol_plans_window ON patrol_plans(start_at, end_at);

CREATE TABLE patrol_visits (
    plan_id        TEXT NOT NULL REFERENCES patrol_plans(id) ON DELETE CASCADE,
    unit_id        TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    spot_key       TEXT NOT NULL,
    spot_name      TEXT NOT NULL,
    area           TEXT NOT NULL,
    lon            DOUBLE PRECISION NOT NULL,
    lat            DOUBLE PRECISION NOT NULL,
    radius_m       DOUBLE PRECISION NOT NULL,
    arrive_at      BIGINT NOT NULL,
    depart_at      BIGINT NOT NULL,
    status         TEXT NOT NULL,
    longest_stay_s BIGINT NOT NULL,
    inside_s       BIGINT NOT NULL,
    entered_at     BIGINT,
    left_at        BIGINT,
    final          BIGINT NOT NULL,
    -- The tactics suggested for the stop (JSON list) and those the officer used.
    suggested      TEXT NOT NULL,
    tactics_used   TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (plan_id, unit_id, seq)
);
CREATE INDEX patrol_visits_unit ON patrol_visits(unit_id, arrive_at);

CREATE TABLE patrol_logs (
    id          TEXT COLLATE "C" PRIMARY KEY,
    at          BIGINT NOT NULL,
    unit_id     TEXT NOT NULL,
    officer     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    lat         DOUBLE PRECISION NOT NULL,
    town_id     TEXT,
    grid_id     TEXT,
    plan_id     TEXT,
    visit_seq   BIGINT,
    corrects    TEXT REFERENCES patrol_logs(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX patrol_logs_at ON patrol_logs(at);
CREATE INDEX patrol_logs_unit ON patrol_logs(unit_id, at);

-- Who is on duty with which unit: an officer signs on for a shift and off at its end. The
-- officer's page reads its visits through this, and its browser may report the unit's position.
CREATE TABLE patrol_duty (
    officer   TEXT NOT NULL,
    unit_id   TEXT NOT NULL,
    start_at  BIGINT NOT NULL,
    end_at    BIGINT,
    PRIMARY KEY (officer, start_at)
);
CREATE INDEX patrol_duty_unit ON patrol_duty(unit_id, start_at);
