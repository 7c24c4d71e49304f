//! The plain data the generator produces. Every type is `Serialize`/`Deserialize`, holds
//! positions as `(lon, lat)` WGS 84 degrees and instants as UTC microseconds, and carries no
//! behaviour beyond small look-ups: pushing it into pingan belongs to the caller.

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// A town's or the subdistrict's feature id (`t-zg`, `s-lg`).
    TownId
);
string_id!(
    /// A grid's feature id (`g-zg-001`).
    GridId
);
string_id!(
    /// A key place's feature id (`kp-zg-store`).
    KeyPlaceId
);
string_id!(
    /// A video platform's id (`vms-1`).
    PlatformId
);
string_id!(
    /// A camera's id (`cam-0001`).
    CameraId
);
string_id!(
    /// A checkpoint's id (`kk-01`).
    CheckpointId
);
string_id!(
    /// A patrol unit's id (`unit-01`).
    UnitId
);
string_id!(
    /// An incident's id (`inc-000001`, or `inc-story-…` for the stories).
    IncidentId
);

/// The class of a road, with the same snake_case names as pingan's geography.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    /// Main roads (主干道).
    Arterial,
    /// County roads (县道).
    County,
    /// Village roads (村道).
    Village,
    /// Town streets.
    Other,
}

impl RoadClass {
    /// The snake_case name used in GeoJSON properties.
    pub fn as_str(self) -> &'static str {
        match self {
            RoadClass::Arterial => "arterial",
            RoadClass::County => "county",
            RoadClass::Village => "village",
            RoadClass::Other => "other",
        }
    }

    /// Typical travel speed in km/h, used by the traffic model and the patrol units.
    pub fn speed_kmh(self) -> f64 {
        match self {
            RoadClass::Arterial => 50.0,
            RoadClass::County => 40.0,
            RoadClass::Village => 30.0,
            RoadClass::Other => 25.0,
        }
    }
}

/// A town (镇) or the subdistrict (街道).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Town {
    /// Feature id.
    pub id: TownId,
    /// Chinese name (壮岗镇).
    pub name: String,
    /// English name (Zhuanggang).
    pub name_en: String,
    /// `true` for the subdistrict.
    pub subdistrict: bool,
    /// The town seat (镇驻地).
    pub seat: (f64, f64),
    /// Residents, summed over its grids.
    pub population: u32,
    /// The key place id of its police station.
    pub police_station: KeyPlaceId,
}

/// A grid (网格) of grid management.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// Feature id.
    pub id: GridId,
    /// Chinese name.
    pub name: String,
    /// The town or subdistrict it belongs to.
    pub town: TownId,
    /// The village or community the grid covers.
    pub place: String,
    /// Residents.
    pub population: u32,
    /// A point inside the grid.
    pub centre: (f64, f64),
}

/// Whether a settlement is a rural village or an urban community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// 村.
    Village,
    /// 社区.
    Community,
}

/// A village (村) or community (社区).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// Stable id (`v-…`, `c-…`).
    pub id: String,
    /// Chinese name (西朱沙沟村).
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Village or community.
    pub kind: PlaceKind,
    /// Its town.
    pub town: TownId,
    /// The grids it covers.
    pub grids: Vec<GridId>,
    /// Its centre.
    pub position: (f64, f64),
    /// Residents.
    pub population: u32,
}

/// A key place (重点部位).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyPlace {
    /// Feature id.
    pub id: KeyPlaceId,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// What it is: `market`, `school`, `bus_station`, `supply_store`, `factory`, `police`, ….
    pub category: String,
    /// Its town.
    pub town: TownId,
    /// Its position.
    pub position: (f64, f64),
}

/// A key road section (重点路段).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyRoad {
    /// Feature id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// The road it is a section of.
    pub road_name: String,
    /// The section's course.
    pub line: Vec<(f64, f64)>,
}

/// One road feature: a stretch of one named road between two junctions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Road {
    /// Feature id (`r-0001`).
    pub id: String,
    /// Chinese name (板团路).
    pub name: String,
    /// English name (Bantuan Road).
    pub name_en: String,
    /// Class.
    pub class: RoadClass,
    /// The course, junction to junction.
    pub line: Vec<(f64, f64)>,
    /// The network nodes along the course, in order.
    pub nodes: Vec<u32>,
}

/// The road network as a graph: nodes where roads bend or meet, edges between them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoadNetwork {
    /// Node positions, indexed by node number (some numbers are unused and have no edges).
    pub nodes: Vec<(f64, f64)>,
    /// Undirected edges.
    pub edges: Vec<RoadEdge>,
}

/// One undirected edge of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoadEdge {
    /// One end.
    pub a: u32,
    /// The other end.
    pub b: u32,
    /// Class of the road.
    pub class: RoadClass,
    /// Length in metres.
    pub length_m: f64,
    /// Index of the named road line it belongs to (same for every edge of 板团路).
    pub line: u16,
}

/// A video surveillance platform (视频监控平台).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Platform {
    /// Id (`vms-1`).
    pub id: PlatformId,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Vendor.
    pub vendor: String,
    /// Protocol (`gb28181`, `onvif`, `rtsp`).
    pub protocol: String,
}

/// A camera (摄像机).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Camera {
    /// Id (`cam-0001`).
    pub id: CameraId,
    /// Chinese name (where it is).
    pub name: String,
    /// Its platform.
    pub platform: PlatformId,
    /// Position.
    pub position: (f64, f64),
    /// Heading in degrees clockwise from north (0–360).
    pub heading_deg: f64,
    /// Field of view in degrees (50–100).
    pub fov_deg: f64,
    /// Range in metres (30–120).
    pub range_m: f64,
    /// Pan-tilt-zoom.
    pub ptz: bool,
    /// Whether it runs object detection and reports detection events.
    pub analytics: bool,
    /// The key place it watches, when placed for one.
    pub key_place: Option<KeyPlaceId>,
    /// The road it watches, when placed along one.
    pub road: Option<String>,
}

/// One lane of a checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    /// Lane number, 1-based.
    pub number: u8,
    /// Direction of travel code (`inbound`, `outbound`, `eastbound`, …).
    pub direction: String,
    /// Heading of travel in degrees clockwise from north.
    pub heading_deg: f64,
}

/// A road checkpoint reading plates (治安卡口).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Id (`kk-01`).
    pub id: CheckpointId,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Position, a vertex of the road it reads.
    pub position: (f64, f64),
    /// The road feature it stands on.
    pub road_id: String,
    /// The road's name.
    pub road_name: String,
    /// `true` at the district's boundary (入城口), `false` inside.
    pub entry: bool,
    /// Its lanes.
    pub lanes: Vec<Lane>,
    /// Its town.
    pub town: TownId,
    /// The network node it stands on.
    pub node: u32,
}

/// A patrol car (巡逻车).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolUnit {
    /// Id (`unit-01`).
    pub id: UnitId,
    /// Call sign (临巡01).
    pub call_sign: String,
    /// The car's plate.
    pub plate: String,
    /// Crew names.
    pub crew: Vec<String>,
    /// Home base (a police key place).
    pub home_base: KeyPlaceId,
    /// The town it usually serves.
    pub town: TownId,
}

/// One unit's shift on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyShift {
    /// The unit.
    pub unit: UnitId,
    /// Start (UTC µs).
    pub start: i64,
    /// End (UTC µs).
    pub end: i64,
    /// `day` (07:00–15:00) or `night` (17:00–01:00): the key hours.
    pub shift: String,
    /// Key places on its patrol route, in order.
    pub route: Vec<KeyPlaceId>,
}

/// A patrol car's field log (a service, a mediation, a stop, …), as `pingan-patrols` keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldLog {
    /// `PL-DEMO-00001`, …
    pub id: String,
    /// UTC µs.
    pub at: i64,
    pub unit: UnitId,
    /// The log kind's code (`service`, `mediation`, `case_solved`, `stop_check`, …).
    pub kind: String,
    /// The kind's fields, as the API takes them (no one's name).
    pub detail: serde_json::Value,
    pub position: (f64, f64),
}

/// A vehicle of the traffic model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    /// Plate.
    pub plate: String,
    /// `car`, `suv`, `van`, `truck`, `bus`.
    pub vehicle_type: String,
    /// Body colour.
    pub colour: String,
    /// `resident`, `through`, `goods`, `story`.
    pub role: String,
    /// Home node (residents and goods vehicles).
    pub home_node: Option<u32>,
    /// Workplace node (residents) or depot (goods vehicles).
    pub work_node: Option<u32>,
}

/// An incident (警情).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Id.
    pub id: IncidentId,
    /// Type code (`theft.bicycle`, `dispute`, …), see [`crate::INCIDENT_TYPES`].
    pub type_code: String,
    /// Priority, 1 (most urgent) to 4.
    pub priority: u8,
    /// Position.
    pub position: (f64, f64),
    /// Town or subdistrict.
    pub town: TownId,
    /// Grid.
    pub grid: GridId,
    /// When it was reported (UTC µs).
    pub reported_at: i64,
    /// When a unit was dispatched.
    pub dispatched_at: i64,
    /// When the unit arrived.
    pub arrived_at: i64,
    /// When the incident was closed.
    pub closed_at: i64,
    /// Call sign of the responding unit.
    pub unit: String,
    /// Description in Chinese.
    pub description: String,
    /// A serial series it belongs to (`series-…`), when linked.
    pub series: Option<String>,
    /// An earlier incident of which this is a near repeat (ground truth for analytics tests).
    pub near_repeat_of: Option<IncidentId>,
    /// Outcome: `closed`, `solved`, `arrested`.
    pub outcome: String,
}

/// One plate read (过车记录).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlateRead {
    /// The checkpoint.
    pub checkpoint: CheckpointId,
    /// Lane number.
    pub lane: u8,
    /// Direction code of the lane.
    pub direction: String,
    /// The plate as read (possibly misread).
    pub plate: String,
    /// When (UTC µs).
    pub at: i64,
    /// Reader confidence 0–1.
    pub confidence: f32,
    /// Vehicle type as classified.
    pub vehicle_type: String,
    /// Vehicle colour as classified.
    pub colour: String,
    /// Ground truth, not for ingest: the read differs from the real plate by one character.
    pub misread: bool,
}

/// One position of a patrol unit (GPS fix).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    /// The unit.
    pub unit: UnitId,
    /// When (UTC µs).
    pub at: i64,
    /// Position.
    pub position: (f64, f64),
    /// Heading in degrees.
    pub heading_deg: f64,
    /// Speed in km/h.
    pub speed_kmh: f64,
}

/// One camera detection event (object detection, never faces).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// Stable id (`det-…`).
    pub id: String,
    /// The camera.
    pub camera: CameraId,
    /// When (UTC µs).
    pub at: i64,
    /// `person`, `car`, `truck`, `bicycle`, `motorcycle`, `bus`, `tricycle`.
    pub label: String,
    /// A finer class (`waste_transfer_truck`, `e_bike`, `loitering`), when known.
    pub sub_label: Option<String>,
    /// Detector score 0–1.
    pub score: f32,
    /// Main colour (vehicles) or upper clothing colour (people).
    pub colour: Option<String>,
    /// Further attributes (`lower_colour`, `hat`, `bag`, `carrying`…), sorted by key.
    pub attributes: Vec<(String, String)>,
    /// Estimated position of the object.
    pub position: (f64, f64),
}
