//! pingan-demo: the pure, deterministic generator behind `pingan demo`.
//!
//! [`generate`] builds a synthetic district modelled on the 2015 report on Linggang district
//! (临港区, near 35.0°N 118.9°E) and a history for it, as plain data ([`District`]) that the
//! caller pushes through pingan's public APIs. [`LiveSim`] then keeps the district alive: calls,
//! patrol units moving along roads to answer them, checkpoint reads and camera detections, one
//! time step at a time.
//!
//! # What is generated (at [`Scale::Full`], seed 1; other seeds differ by a few percent)
//! - **Geography** ([`District::geojson`], 353 kB): the district (about 25 × 23 km); the
//!   subdistrict (临港街道) and four towns (Zhuanggang 壮岗镇, Tuanlin 团林镇, Pingshang 坪上镇,
//!   Zhulu 朱芦镇) tiling it; 396 grids (324 rural grids of one village each, 72 urban grids in 12
//!   communities, among them 西朱沙沟村 and 大山社区) with 200,000 residents; 584 road features
//!   (540 km: arterials, county roads with 板团路, town streets, village roads) cut at junctions
//!   into one connected network; 48 key places; 9 key road sections.
//! - **Sensors**: 5 platforms, 2,665 cameras (about 400 with analytics), 15 checkpoints (10 at
//!   the entries, 5 on arterials), 12 patrol cars, a duty roster of 6 cars a day (3 day, 3 night).
//! - **History**: 365 days of incidents (about 12,000, 55 % theft); 30 days of plate reads
//!   (about 34,500 a day, 1.04 M in all, 0.3 % misread, from 23,700 vehicles); 30 days of unit
//!   tracks (about 4,300 fixes a day); 36 days of detections (about 9,500 a day).
//!   [`District::volumes`] has the exact figures of a run.
//! - **Stories** ([`Stories`]): the serial bicycle theft at the Zhuanggang store, the dumpster
//!   stolen on Bantuan Road and the white truck's trajectory, a co-travelling pair, a watch-listed
//!   stolen car that passes a checkpoint during the live run, and the walk home at night.
//!
//! Generation takes about 3 s for [`Scale::Full`] in a release build on this 2-core machine
//! (7 s in a dev build), single-threaded; [`Scale::Small`] well under a second.
//!
//! # Design
//! Everything is derived from one jittered lattice (see `world`), so that grids tile their towns
//! and roads meet at shared vertices by construction rather than by repair. Each part draws from
//! its own random stream derived from the seed, so one part's changes do not reshuffle the
//! others. Time is UTC microseconds; the district keeps UTC+8; `start_day` (a local midnight) is
//! the end of the history and the start of the live run.
//!
//! # What this crate does NOT do
//! No I/O, no clock, no threads, no database or HTTP types, no progress reporting: the caller
//! passes `start_day`, stores the data and drives [`LiveSim`] with its own clock. It does not
//! depend on pingan's other crates; the tests validate the GeoJSON with `pingan-spatial`.

mod activity;
mod fieldlogs;
mod geojson;
mod incidents;
mod live;
mod model;
mod names;
mod network;
mod places;
mod rng;
mod sensors;
mod stories;
mod time;
mod traffic;
mod world;

use serde::{Deserialize, Serialize};

pub use incidents::INCIDENT_TYPES;
pub use live::{LiveCall, LiveEvent, LiveSim};
pub use model::*;
pub use sensors::CAMERA_COUNT;
pub use stories::{
    Appearance, BicycleStory, CoPass, CoTravelStory, DumpsterStory, ExternalCase, NightWalkStory,
    StolenCarStory, Stories, StoryRead,
};
pub use time::{DAY, DEFAULT_START_DAY, HOUR, MINUTE, SECOND};
pub use traffic::MISREAD_RATE;

/// How much history to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// The demo: the volumes in the crate documentation.
    Full,
    /// For tests: the same geography, sensors and stories, about a twentieth of the history.
    Small,
}

/// A problem with a [`DemoConfig`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DemoError {
    /// `start_day` is not a local (UTC+8) midnight.
    #[error("start_day {0} is not a local midnight (UTC+8)")]
    StartDayNotMidnight(i64),
    /// The live offset of the stolen car is negative or beyond a day.
    #[error("stolen_car_offset {0} µs must be within 0..=86,400,000,000")]
    StolenCarOffset(i64),
}

/// Inputs of the generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoConfig {
    /// The seed: same seed, same district.
    pub seed: u64,
    /// How much history.
    pub scale: Scale,
    /// UTC microseconds of a local midnight: the history ends here and the live run starts.
    pub start_day: i64,
    /// When, after the live start, the watch-listed stolen car passes its checkpoint (µs).
    pub stolen_car_offset: i64,
}

impl DemoConfig {
    /// The default configuration for a seed and scale: history ending 2015-06-10, the stolen
    /// car 10 minutes into the live run.
    pub fn new(seed: u64, scale: Scale) -> Self {
        Self {
            seed,
            scale,
            start_day: DEFAULT_START_DAY,
            stolen_car_offset: 10 * MINUTE,
        }
    }

    /// Checks the configuration.
    pub fn validate(&self) -> Result<(), DemoError> {
        if (self.start_day + time::LOCAL_OFFSET).rem_euclid(DAY) != 0 {
            return Err(DemoError::StartDayNotMidnight(self.start_day));
        }
        if !(0..=DAY).contains(&self.stolen_car_offset) {
            return Err(DemoError::StolenCarOffset(self.stolen_car_offset));
        }
        Ok(())
    }
}

/// Counts of what was generated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Volumes {
    /// Residents.
    pub population: u32,
    /// Grids.
    pub grids: usize,
    /// Villages and communities.
    pub places: usize,
    /// Road features.
    pub roads: usize,
    /// Road length in km.
    pub road_km: f64,
    /// Key places.
    pub key_places: usize,
    /// Cameras.
    pub cameras: usize,
    /// Cameras with analytics.
    pub analytics_cameras: usize,
    /// Checkpoints.
    pub checkpoints: usize,
    /// Vehicles of the traffic model.
    pub vehicles: usize,
    /// Incidents in the history.
    pub incidents: usize,
    /// Days of incident history.
    pub incident_days: i64,
    /// Plate reads.
    pub plate_reads: usize,
    /// Days of plate reads.
    pub read_days: i64,
    /// Average reads per day.
    pub reads_per_day: f64,
    /// Misread plates among the reads.
    pub misreads: usize,
    /// Unit GPS fixes.
    pub track_points: usize,
    /// Days of tracks.
    pub track_days: i64,
    /// Detection events.
    pub detections: usize,
    /// Days of detections.
    pub detection_days: i64,
}

/// The generated district and its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    /// What it was generated from.
    pub config: DemoConfig,
    /// The geography as GeoJSON for pingan's geography import.
    pub geojson: String,
    /// The subdistrict and the towns.
    pub towns: Vec<Town>,
    /// The grids.
    pub grids: Vec<Grid>,
    /// Villages and communities.
    pub places: Vec<Place>,
    /// Key places.
    pub key_places: Vec<KeyPlace>,
    /// Key road sections.
    pub key_roads: Vec<KeyRoad>,
    /// Road features.
    pub roads: Vec<Road>,
    /// The road graph.
    pub network: RoadNetwork,
    /// Video platforms.
    pub platforms: Vec<Platform>,
    /// Cameras.
    pub cameras: Vec<Camera>,
    /// Checkpoints.
    pub checkpoints: Vec<Checkpoint>,
    /// Patrol cars.
    pub units: Vec<PatrolUnit>,
    /// Duty roster over the history and the 30 days after it.
    pub duty: Vec<DutyShift>,
    /// Vehicles of the traffic model.
    pub vehicles: Vec<Vehicle>,
    /// Incidents, by report time.
    pub incidents: Vec<Incident>,
    /// Plate reads, by time.
    pub plate_reads: Vec<PlateRead>,
    /// Unit tracks, by time.
    pub unit_tracks: Vec<TrackPoint>,
    /// Detection events, by time.
    pub detections: Vec<Detection>,
    /// The patrol cars' field logs over the history, by time.
    pub field_logs: Vec<FieldLog>,
    /// The stories.
    pub stories: Stories,
    /// Counts.
    pub volumes: Volumes,
}

impl District {
    /// A 64-bit FNV-1a hash of the whole district's JSON form: equal for equal districts.
    pub fn fingerprint(&self) -> u64 {
        struct Fnv(u64);
        impl std::io::Write for Fnv {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                for b in buf {
                    self.0 ^= u64::from(*b);
                    self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
                }
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        // Serialising plain data into a hasher cannot fail; a failure would only change the hash.
        let _ = serde_json::to_writer(&mut h, self);
        h.0
    }
}

/// Generates the district for a seed and scale with the default configuration.
pub fn generate(seed: u64, scale: Scale) -> District {
    build::build(&DemoConfig::new(seed, scale))
}

/// Generates the district for a configuration.
pub fn generate_with(config: &DemoConfig) -> Result<District, DemoError> {
    config.validate()?;
    Ok(build::build(config))
}

mod build;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_validation_names_the_problem() {
        let ok = DemoConfig::new(1, Scale::Small);
        assert_eq!(ok.validate(), Ok(()));
        let noon = DemoConfig {
            start_day: DEFAULT_START_DAY + 12 * HOUR,
            ..ok.clone()
        };
        assert_eq!(
            noon.validate(),
            Err(DemoError::StartDayNotMidnight(noon.start_day))
        );
        let late = DemoConfig {
            stolen_car_offset: -1,
            ..ok
        };
        assert!(matches!(
            generate_with(&late),
            Err(DemoError::StolenCarOffset(-1))
        ));
    }
}
