-- A read's identity is the device that sent it and the device's own id for it, never a bare
-- number shared across devices. Each checkpoint device gets a small source number when one of
-- its codes is first bound; a stored read_id is source × 2^40 + the device's id (devices number
-- their reads below 2^40), so one key still orders and deduplicates the reads, two devices'
-- ids never collide, and every id stays below 2^53 (exact in JSON for any client). Reads
-- stored before this migration, and reads imported from files, keep their ids (source 0).
CREATE TABLE plate_sources (
    device_id TEXT PRIMARY KEY,
    source    BIGINT NOT NULL UNIQUE CHECK (source BETWEEN 1 AND 8191)
);

INSERT INTO plate_sources (device_id, source)
SELECT device_id, ROW_NUMBER() OVER (ORDER BY device_id)
FROM (SELECT DISTINCT device_id FROM plate_checkpoints) d;
