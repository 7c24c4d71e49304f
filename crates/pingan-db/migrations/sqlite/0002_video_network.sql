-- The video network (issue 3): platforms, cameras, checkpoints, device health and uptime, and
-- detection events. Times are BIGINT microseconds (UTC); flags BIGINT 0/1; lists and boxes are
-- JSON text; coordinates are two doubles.

CREATE TABLE video_platforms (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    vendor         TEXT,
    protocol       TEXT NOT NULL,
    address        TEXT NOT NULL,
    -- The name of a secret held elsewhere; never a secret, never returned by the API.
    credential_ref TEXT
);

CREATE TABLE video_cameras (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    platform_id  TEXT,
    channel_id   TEXT,
    lon          DOUBLE PRECISION NOT NULL,
    lat          DOUBLE PRECISION NOT NULL,
    height_m     DOUBLE PRECISION,
    heading_deg  DOUBLE PRECISION NOT NULL,
    fov_deg      DOUBLE PRECISION NOT NULL,
    range_m      DOUBLE PRECISION NOT NULL,
    ptz          BIGINT NOT NULL,
    live_url     TEXT,
    playback_url TEXT,
    status       TEXT NOT NULL,
    installed_on TEXT,
    owner        TEXT
);
CREATE INDEX video_cameras_position ON video_cameras(lon, lat);
CREATE INDEX video_cameras_platform ON video_cameras(platform_id);

CREATE TABLE video_checkpoints (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    lon        DOUBLE PRECISION NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    lanes      BIGINT NOT NULL,
    directions TEXT NOT NULL,
    road_id    TEXT
);

-- Current liveness of each camera, checkpoint, platform or recorder that sends heartbeats.
CREATE TABLE device_health (
    subject      TEXT NOT NULL,
    id           TEXT NOT NULL,
    online       BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    changed_at   BIGINT NOT NULL,
    PRIMARY KEY (subject, id)
);
CREATE INDEX device_health_online ON device_health(online, last_seen_at);

-- Online seconds per device per UTC day.
CREATE TABLE device_uptime (
    subject  TEXT NOT NULL,
    id       TEXT NOT NULL,
    day      TEXT NOT NULL,
    online_s BIGINT NOT NULL,
    beats    BIGINT NOT NULL,
    PRIMARY KEY (subject, id, day)
);
CREATE INDEX device_uptime_day ON device_uptime(day);

CREATE TABLE detections (
    id           TEXT PRIMARY KEY,
    recorder_id  TEXT NOT NULL,
    camera_id    TEXT NOT NULL,
    source       TEXT NOT NULL,
    label        TEXT NOT NULL,
    sub_label    TEXT,
    score        DOUBLE PRECISION NOT NULL,
    colour       TEXT,
    zones        TEXT NOT NULL,
    bbox         TEXT,
    start_at     BIGINT NOT NULL,
    end_at       BIGINT,
    snapshot_url TEXT,
    clip_url     TEXT,
    lon          DOUBLE PRECISION NOT NULL,
    lat          DOUBLE PRECISION NOT NULL
);
CREATE INDEX detections_camera_time ON detections(camera_id, start_at);
CREATE INDEX detections_time ON detections(start_at);
CREATE INDEX detections_label_time ON detections(label, start_at);
