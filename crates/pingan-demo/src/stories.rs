//! The report's stories as data, with the ids a guided tour queries.
//!
//! Story dates are placed relative to the end of the history as if it ended on 10 June of the
//! story year (the default `start_day` is exactly 2015-06-10, so the dates are then the report's
//! own): 8 May is 33 days before the end, 13 May 28 days, 21 May 20 days, 28 May 13 days. Every
//! record keeps its report date as a label (`5月8日`).

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::incidents::{make, Ctx, Draft, INCIDENT_TYPES};
use crate::model::{
    CameraId, CheckpointId, Detection, IncidentId, KeyPlaceId, PlateRead, UnitId, Vehicle,
};
use crate::names;
use crate::places::{find, KeyPlaceGen};
use crate::rng::{stream, DemoRng};
use crate::sensors::Spots;
use crate::time::{DAY, HOUR, MINUTE, SECOND};
use crate::traffic::{reverse, Model, Pass};
use crate::world::{dist, offset, to_lonlat, Ground};

/// What the stories add, with the ids to find it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stories {
    /// Serial bicycle theft outside the Zhuanggang store.
    pub bicycle: BicycleStory,
    /// The dumpster stolen on Bantuan Road.
    pub dumpster: DumpsterStory,
    /// Two vehicles that travel together.
    pub co_travel: CoTravelStory,
    /// A watch-listed stolen car that passes a checkpoint during the live run.
    pub stolen_car: StolenCarStory,
    /// Walking home at night from the metals company to Dashan community.
    pub night_walk: NightWalkStory,
}

/// How the suspect looks on video (clothing, never a face).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appearance {
    /// Upper clothing colour (the detection's `colour`).
    pub upper_colour: String,
    /// The detection attributes shared by every sighting.
    pub attributes: Vec<(String, String)>,
}

/// A case in a neighbouring county linked to the same suspect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalCase {
    /// The county (临沭县, 莒南县).
    pub jurisdiction: String,
    /// When.
    pub at: i64,
    /// Type code.
    pub type_code: String,
    /// Description.
    pub description: String,
    /// Where (outside the district).
    pub position: (f64, f64),
}

/// Story 1: bicycles stolen on 8 and 13 May, the stake-out, the arrest on 28 May.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BicycleStory {
    /// The series id on the three incidents.
    pub series: String,
    /// The store.
    pub store: KeyPlaceId,
    /// Where the bicycles were parked.
    pub spot: (f64, f64),
    /// The two thefts (8 and 13 May).
    pub thefts: Vec<IncidentId>,
    /// The arrest in the act (28 May).
    pub arrest: IncidentId,
    /// Cameras that watch the spot.
    pub cameras: Vec<CameraId>,
    /// Detections showing the suspect (person) and the bicycles leaving, each day.
    pub detections: Vec<String>,
    /// The suspect's look, shared by every sighting.
    pub appearance: Appearance,
    /// Stake-out: from, to, officer, where.
    pub stakeout_from: i64,
    /// End of the stake-out (the arrest).
    pub stakeout_to: i64,
    /// The officer posted outside the store.
    pub stakeout_officer: String,
    /// The suspect as named in the case (`X某`).
    pub suspect: String,
    /// Earlier cases in neighbouring counties.
    pub external_cases: Vec<ExternalCase>,
    /// Report dates of the thefts and the arrest.
    pub labels: Vec<String>,
}

/// One checkpoint read of a story vehicle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryRead {
    /// The checkpoint.
    pub checkpoint: CheckpointId,
    /// When.
    pub at: i64,
    /// Lane direction code.
    pub direction: String,
}

/// Story 2: the dumpster stolen on Bantuan Road by West Zhushagou.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DumpsterStory {
    /// The theft report by the village secretary.
    pub incident: IncidentId,
    /// The arrest.
    pub arrest: IncidentId,
    /// The village.
    pub village: String,
    /// Where the dumpster stood.
    pub spot: (f64, f64),
    /// When it was taken (the white truck at the spot).
    pub stolen_at: i64,
    /// Cameras along Bantuan Road that saw the truck.
    pub cameras: Vec<CameraId>,
    /// The truck's detections (label truck, colour white).
    pub detections: Vec<String>,
    /// The truck's plate.
    pub plate: String,
    /// Its reads after the theft, in time order: the trajectory.
    pub trajectory: Vec<StoryRead>,
    /// Where it was stopped.
    pub stopped_at: (f64, f64),
    /// When it was stopped.
    pub stopped_time: i64,
    /// The road where it was stopped.
    pub stopped_road: String,
    /// The suspect (刘某).
    pub suspect: String,
    /// Report date.
    pub label: String,
}

/// One joint pass of the co-travelling pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoPass {
    /// The checkpoint.
    pub checkpoint: CheckpointId,
    /// The leader's read.
    pub leader_at: i64,
    /// The follower's read, 30–90 s later.
    pub follower_at: i64,
}

/// Story 3: a pair of vehicles that travel together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoTravelStory {
    /// The leading vehicle.
    pub leader: String,
    /// The follower.
    pub follower: String,
    /// Their joint passes.
    pub passes: Vec<CoPass>,
}

/// Story 4: a stolen car on the watch list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StolenCarStory {
    /// The plate to watch-list.
    pub plate: String,
    /// The theft report.
    pub incident: IncidentId,
    /// When it was stolen.
    pub stolen_at: i64,
    /// The checkpoint it passes in the live run.
    pub checkpoint: CheckpointId,
    /// Lane direction of that pass.
    pub direction: String,
    /// When after the live start it passes (µs).
    pub live_offset: i64,
    /// Colour.
    pub colour: String,
    /// Vehicle type.
    pub vehicle_type: String,
}

/// Story 5: the walk home at night and the patrol cars on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NightWalkStory {
    /// Her workplace.
    pub work: KeyPlaceId,
    /// Her community.
    pub home: String,
    /// The walk along the roads.
    pub route: Vec<(f64, f64)>,
    /// Its length.
    pub distance_m: f64,
    /// Units whose night route passes the metals company.
    pub patrol_units: Vec<UnitId>,
}

/// Day-of-year offset of a report date before 10 June (non-leap year).
fn days_before_end(month: u32, day: u32) -> i64 {
    const CUM: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let doy = |m: u32, d: u32| CUM[(m as usize).clamp(1, 12) - 1] + i64::from(d);
    doy(6, 10) - doy(month, day)
}

/// The local midnight of a report date, relative to the history's end.
pub(crate) fn story_day(start_day: i64, month: u32, day: u32) -> i64 {
    start_day - days_before_end(month, day) * DAY
}

/// What the stories add to the history.
#[derive(Debug, Default)]
pub(crate) struct Added {
    pub incidents: Vec<Draft>,
    pub detections: Vec<Detection>,
    pub reads: Vec<PlateRead>,
    pub vehicles: Vec<Vehicle>,
}

/// Everything the stories need.
pub(crate) struct World<'a> {
    pub ground: &'a Ground,
    pub kps: &'a [KeyPlaceGen],
    pub spots: &'a Spots,
    pub model: &'a Model,
    pub ctx: &'a Ctx<'a>,
    pub home_nodes: &'a [(usize, f64)],
    pub entries: &'a [usize],
    pub night_units: Vec<UnitId>,
    pub start_day: i64,
    pub live_offset: i64,
}

fn type_index(code: &str) -> usize {
    INCIDENT_TYPES.iter().position(|t| t.0 == code).unwrap_or(0)
}

#[expect(
    clippy::too_many_arguments,
    reason = "a record literal in function form, called with constants"
)]
fn det(
    id: String,
    camera: &str,
    at: i64,
    label: &str,
    sub: Option<&str>,
    colour: &str,
    attrs: &[(String, String)],
    at_xy: [f64; 2],
) -> Detection {
    Detection {
        id,
        camera: CameraId(camera.to_owned()),
        at,
        label: label.to_owned(),
        sub_label: sub.map(str::to_owned),
        score: 0.91,
        colour: Some(colour.to_owned()),
        attributes: attrs.to_vec(),
        position: to_lonlat(at_xy),
    }
}

fn with_id(mut d: Draft, id: &str) -> Draft {
    d.incident.id = IncidentId(id.to_owned());
    d
}

/// Builds every story and what it adds.
pub(crate) fn build(seed: u64, w: &World<'_>) -> (Stories, Added) {
    let mut rng = stream(seed, "stories");
    let mut added = Added::default();
    let bicycle = bicycle(&mut rng, w, &mut added);
    let dumpster = dumpster(&mut rng, w, &mut added);
    let co_travel = co_travel(&mut rng, w, &mut added);
    let stolen_car = stolen_car(&mut rng, w, &mut added);
    let night_walk = night_walk(w);
    (
        Stories {
            bicycle,
            dumpster,
            co_travel,
            stolen_car,
            night_walk,
        },
        added,
    )
}

#[expect(
    clippy::too_many_lines,
    reason = "the generator's steps in their order; each is short and the order is what it means"
)]
fn bicycle(rng: &mut DemoRng, w: &World<'_>, added: &mut Added) -> BicycleStory {
    let spot = w.spots.store_front;
    let store = &w.kps[find(w.kps, "kp-zg-store")];
    let appearance = Appearance {
        upper_colour: "grey".to_owned(),
        attributes: vec![
            ("bag".to_owned(), "backpack".to_owned()),
            ("hat".to_owned(), "baseball_cap".to_owned()),
            ("lower_colour".to_owned(), "black".to_owned()),
        ],
    };
    let series = "series-zg-bicycle".to_owned();
    let cams = ["cam-0001", "cam-0002"];
    let t = type_index("theft.bicycle");
    let mut detections = Vec::new();
    let mut thefts = Vec::new();
    let days = [
        (5, 8, 10 * HOUR + 20 * MINUTE, "蓝色山地自行车"),
        (5, 13, 15 * HOUR + 40 * MINUTE, "红色女式自行车"),
    ];
    for (k, (m, d, time, bike)) in days.iter().enumerate() {
        let at = story_day(w.start_day, *m, *d) + time;
        let id = format!("inc-story-bike-{}", k + 1);
        let text = format!(
            "报警人称停放在{}门口的{}被盗,停放时已上锁,约{}分钟后发现丢失。",
            store.place.name,
            bike,
            rng.gen_range(10..30)
        );
        if let Some(mut draft) = make(w.ctx, rng, t, at + 12 * MINUTE, spot, Some(text)) {
            draft.incident.series = Some(series.clone());
            added.incidents.push(with_id(draft, &id));
            thefts.push(IncidentId(id));
        }
        for (c, cam) in cams.iter().enumerate() {
            let base = format!("det-story-bike-{}-{}", k + 1, c + 1);
            let arrive = at - 6 * MINUTE + (c as i64) * 20 * SECOND;
            added.detections.push(det(
                format!("{base}-person"),
                cam,
                arrive,
                "person",
                Some("loitering"),
                &appearance.upper_colour,
                &appearance.attributes,
                offset(spot, 40.0, 6.0),
            ));
            let leave = at + (c as i64) * 15 * SECOND;
            let ridden = [
                ("ridden_by".to_owned(), "person".to_owned()),
                (
                    "rider_upper_colour".to_owned(),
                    appearance.upper_colour.clone(),
                ),
            ];
            added.detections.push(det(
                format!("{base}-bicycle"),
                cam,
                leave,
                "bicycle",
                Some("bicycle"),
                if k == 0 { "blue" } else { "red" },
                &ridden,
                spot,
            ));
            detections.push(format!("{base}-person"));
            detections.push(format!("{base}-bicycle"));
        }
    }
    let arrest_day = story_day(w.start_day, 5, 28);
    let arrest_at = arrest_day + 9 * HOUR + 55 * MINUTE;
    for (c, cam) in cams.iter().enumerate() {
        let id = format!("det-story-bike-3-{}-person", c + 1);
        added.detections.push(det(
            id.clone(),
            cam,
            arrest_at - 4 * MINUTE + (c as i64) * 20 * SECOND,
            "person",
            Some("loitering"),
            &appearance.upper_colour,
            &appearance.attributes,
            offset(spot, 40.0, 6.0),
        ));
        detections.push(id);
    }
    let suspect = names::suspect_name(rng);
    let text = format!("蹲守民警在{}门口将正在撬锁盗窃自行车的犯罪嫌疑人{suspect}当场抓获,经查其在临沭县、莒南县等地作案多起。", store.place.name);
    let arrest = "inc-story-bike-arrest";
    if let Some(mut draft) = make(w.ctx, rng, t, arrest_at, spot, Some(text)) {
        draft.incident.series = Some(series.clone());
        draft.incident.outcome = "arrested".to_owned();
        draft.incident.priority = 2;
        added.incidents.push(with_id(draft, arrest));
    }
    let external_cases = [
        ("临沭县", 118.66, 34.93, 70, "临沭县城一超市门口自行车被盗"),
        (
            "临沭县",
            118.64,
            34.90,
            52,
            "临沭县一小区楼下电动自行车被盗",
        ),
        ("莒南县", 118.84, 35.17, 45, "莒南县一集市旁自行车被盗"),
        ("莒南县", 118.86, 35.19, 38, "莒南县一学校门口自行车被盗"),
    ]
    .iter()
    .map(|(j, lon, lat, before, text)| ExternalCase {
        jurisdiction: (*j).to_owned(),
        at: arrest_day - i64::from(*before) * DAY + 14 * HOUR,
        type_code: "theft.bicycle".to_owned(),
        description: format!("{text},监控显示嫌疑人身穿灰色上衣、头戴棒球帽、背双肩包。"),
        position: (*lon, *lat),
    })
    .collect();
    BicycleStory {
        series,
        store: store.place.id.clone(),
        spot: to_lonlat(spot),
        thefts,
        arrest: IncidentId(arrest.to_owned()),
        cameras: cams.iter().map(|c| CameraId((*c).to_owned())).collect(),
        detections,
        appearance,
        stakeout_from: story_day(w.start_day, 5, 14) + 8 * HOUR,
        stakeout_to: arrest_at + 7 * MINUTE,
        stakeout_officer: names::person_name(rng),
        suspect,
        external_cases,
        labels: vec![
            "5月8日".to_owned(),
            "5月13日".to_owned(),
            "5月28日".to_owned(),
        ],
    }
}

fn story_reads(
    w: &World<'_>,
    rng: &mut DemoRng,
    out: &mut Vec<PlateRead>,
    v: &Vehicle,
    depart: i64,
    passes: &[Pass],
) -> Vec<StoryRead> {
    let before = out.len();
    w.model.reads(rng, out, v, depart, passes, false, false);
    out[before..]
        .iter()
        .map(|r| StoryRead {
            checkpoint: r.checkpoint.clone(),
            at: r.at,
            direction: r.direction.clone(),
        })
        .collect()
}

#[expect(
    clippy::too_many_lines,
    reason = "the generator's steps in their order; each is short and the order is what it means"
)]
fn dumpster(rng: &mut DemoRng, w: &World<'_>, added: &mut Added) -> DumpsterStory {
    let day = story_day(w.start_day, 5, 21);
    let stolen_at = day + 2 * HOUR + 10 * MINUTE;
    let (_, spot_node) = w.spots.dumpster_nodes;
    let scrap = w.kps[find(w.kps, "kp-zl-scrap")].node;
    // The thief's base: the village that makes the truck pass the most checkpoints on its way to
    // the spot, back, and on to the scrap yard (so that the trajectory tells the story).
    let mut best: Option<(usize, usize)> = None;
    for (n, _) in w.home_nodes {
        let score =
            w.model.trip(*n, spot_node).passes.len() + w.model.trip(*n, scrap).passes.len() * 2;
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, *n));
        }
    }
    let base = best.map_or(spot_node, |b| b.1);
    let plate = names::local_plate(rng);
    let truck = Vehicle {
        plate: plate.clone(),
        vehicle_type: "truck".to_owned(),
        colour: "white".to_owned(),
        role: "story".to_owned(),
        home_node: Some(base as u32),
        work_node: None,
    };
    let to_spot = w.model.trip(base, spot_node);
    let away = reverse(&to_spot);
    let mut trajectory = Vec::new();
    let depart = stolen_at - 6 * MINUTE - to_spot.duration();
    let mut reads = Vec::new();
    story_reads(w, rng, &mut reads, &truck, depart, &to_spot.passes);
    trajectory.extend(story_reads(
        w,
        rng,
        &mut reads,
        &truck,
        stolen_at + 8 * MINUTE,
        &away.passes,
    ));
    let morning = day + 10 * HOUR + 40 * MINUTE;
    let (path, times) = w
        .model
        .route(base, scrap)
        .unwrap_or((vec![base], vec![0.0]));
    let passes = w.model.passes_along(&path, &times);
    trajectory.extend(story_reads(w, rng, &mut reads, &truck, morning, &passes));
    added.reads.extend(reads);
    // Stopped on the way to the scrap yard, at the last node at least 400 m before it.
    let scrap_xy = w.model.net.pts[scrap];
    let k = (0..path.len())
        .rev()
        .find(|k| dist(w.model.net.pts[path[*k]], scrap_xy) >= 400.0)
        .unwrap_or(0);
    // Pulled over on the roadside, 8 m to the right of the road (grid borders follow roads).
    let node_xy = w.model.net.pts[path[k]];
    let towards = path.get(k + 1).map_or(scrap_xy, |n| w.model.net.pts[*n]);
    let stop_xy = offset(node_xy, crate::world::bearing(node_xy, towards) + 90.0, 8.0);
    let stopped_time = morning + (times[k] * 1e6) as i64 + 30 * SECOND;
    let stopped_road = path
        .get(k + 1)
        .and_then(|b| crate::sensors::edge_between(&w.model.net, path[k], *b))
        .or_else(|| {
            k.checked_sub(1)
                .and_then(|a| crate::sensors::edge_between(&w.model.net, path[a], path[k]))
        })
        .map(|e| w.model.net.roads[w.model.net.edge_road[e]].name.clone())
        .unwrap_or_default();
    added.vehicles.push(truck);
    // The truck on the Bantuan Road cameras: empty on the way in, loaded on the way out.
    let cams = ["cam-0003", "cam-0004", "cam-0005"];
    let mut detections = Vec::new();
    for (c, cam) in cams.iter().enumerate() {
        for (phase, at, load) in [
            ("in", stolen_at - 5 * MINUTE, "empty"),
            ("out", stolen_at + 7 * MINUTE, "dumpster"),
        ] {
            let id = format!("det-story-dumpster-{}-{phase}", c + 1);
            let attrs = [
                ("body".to_owned(), "hook_lift".to_owned()),
                ("load".to_owned(), load.to_owned()),
            ];
            added.detections.push(det(
                id.clone(),
                cam,
                at + (c as i64) * 25 * SECOND,
                "truck",
                Some("waste_transfer_truck"),
                "white",
                &attrs,
                w.spots.dumpster,
            ));
            detections.push(id);
        }
    }
    let village = "西朱沙沟村".to_owned();
    let t = type_index("theft.public_property");
    let report = day + 7 * HOUR + 40 * MINUTE;
    let text = format!("{village}支部书记报案称:该村放置在板团路边的一大型铁质垃圾箱被盗。");
    if let Some(d) = make(w.ctx, rng, t, report, w.spots.dumpster, Some(text)) {
        added.incidents.push(with_id(d, "inc-story-dumpster"));
    }
    let suspect = "刘某".to_owned();
    let text = format!("民警调取板团路视频发现一白色垃圾运转托盘车(号牌{plate})形迹可疑,调取该车行车轨迹并沿路追寻,在{stopped_road}将实施盗窃的犯罪嫌疑人{suspect}当场抓获。");
    if let Some(mut d) = make(w.ctx, rng, t, stopped_time, stop_xy, Some(text)) {
        d.incident.outcome = "arrested".to_owned();
        d.incident.priority = 2;
        added
            .incidents
            .push(with_id(d, "inc-story-dumpster-arrest"));
    }
    trajectory.sort_by_key(|r| r.at);
    DumpsterStory {
        incident: IncidentId("inc-story-dumpster".to_owned()),
        arrest: IncidentId("inc-story-dumpster-arrest".to_owned()),
        village,
        spot: to_lonlat(w.spots.dumpster),
        stolen_at,
        cameras: cams.iter().map(|c| CameraId((*c).to_owned())).collect(),
        detections,
        plate,
        trajectory,
        stopped_at: to_lonlat(stop_xy),
        stopped_time,
        stopped_road,
        suspect,
        label: "5月21日".to_owned(),
    }
}

fn co_travel(rng: &mut DemoRng, w: &World<'_>, added: &mut Added) -> CoTravelStory {
    let leader = Vehicle {
        plate: names::local_plate(rng),
        vehicle_type: "suv".to_owned(),
        colour: "black".to_owned(),
        role: "story".to_owned(),
        home_node: None,
        work_node: None,
    };
    let follower = Vehicle {
        plate: names::local_plate(rng),
        vehicle_type: "car".to_owned(),
        colour: "silver".to_owned(),
        role: "story".to_owned(),
        home_node: None,
        work_node: None,
    };
    // The entry pairs whose paths pass the most checkpoints.
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    for &a in w.entries {
        for &b in w.entries {
            if a != b {
                pairs.push((w.model.trip(a, b).passes.len(), a, b));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut passes = Vec::new();
    // Six trips on the six days before the start day, so that the whole series lies inside the
    // window an investigator may query without a second person's approval (7 days) on any day
    // and at any hour the demo is started: the follower's lead then never depends on the clock.
    for (k, back) in [6, 5, 4, 3, 2, 1].iter().enumerate() {
        let (_, a, b) = pairs[k % pairs.len().max(1)];
        let trip = w.model.trip(a, b);
        let depart = w.start_day - back * DAY + rng.gen_range(9 * HOUR..21 * HOUR);
        let lag = rng.gen_range(40 * SECOND..75 * SECOND);
        let mut lead_reads = Vec::new();
        let mut follow_reads = Vec::new();
        w.model.reads(
            rng,
            &mut lead_reads,
            &leader,
            depart,
            &trip.passes,
            false,
            false,
        );
        w.model.reads(
            rng,
            &mut follow_reads,
            &follower,
            depart + lag,
            &trip.passes,
            false,
            false,
        );
        for (l, f) in lead_reads.iter().zip(follow_reads.iter_mut()) {
            // Keep the gap inside 30–90 s whatever the reader jitter did.
            f.at = f.at.clamp(l.at + 30 * SECOND, l.at + 90 * SECOND);
            passes.push(CoPass {
                checkpoint: l.checkpoint.clone(),
                leader_at: l.at,
                follower_at: f.at,
            });
        }
        added.reads.extend(lead_reads);
        added.reads.extend(follow_reads);
    }
    let story = CoTravelStory {
        leader: leader.plate.clone(),
        follower: follower.plate.clone(),
        passes,
    };
    added.vehicles.push(leader);
    added.vehicles.push(follower);
    story
}

fn stolen_car(rng: &mut DemoRng, w: &World<'_>, added: &mut Added) -> StolenCarStory {
    let car = Vehicle {
        plate: names::local_plate(rng),
        vehicle_type: "suv".to_owned(),
        colour: "black".to_owned(),
        role: "story".to_owned(),
        home_node: None,
        work_node: None,
    };
    // The owner lives in Pingshang and drives to the bus station on working days.
    let home = w
        .ground
        .place_vertex
        .iter()
        .position(|(i, j)| (*i, *j) == (11, 27))
        .map_or(0, |p| w.home_nodes.get(p).map_or(0, |h| h.0));
    let work = w.kps[find(w.kps, "kp-bus-station")].node;
    let trip = w.model.trip(home, work);
    let stolen_at = w.start_day - 2 * DAY + 3 * HOUR + 20 * MINUTE;
    for back in 3..10 {
        let day = w.start_day - back * DAY;
        let (leave, back) = (
            day + 7 * HOUR + rng.gen_range(0..40) * MINUTE,
            day + 17 * HOUR + rng.gen_range(10..50) * MINUTE,
        );
        w.model.reads(
            rng,
            &mut added.reads,
            &car,
            leave,
            &trip.passes,
            false,
            false,
        );
        w.model.reads(
            rng,
            &mut added.reads,
            &car,
            back,
            &reverse(&trip).passes,
            false,
            false,
        );
    }
    let t = type_index("theft.vehicle");
    let xy = w.model.net.pts[home];
    let text = format!(
        "车主报称停放在家门口的黑色SUV(号牌{})夜间被盗,已布控。",
        car.plate
    );
    if let Some(d) = make(
        w.ctx,
        rng,
        t,
        w.start_day - 2 * DAY + 7 * HOUR + 5 * MINUTE,
        offset(xy, 45.0, 30.0),
        Some(text),
    ) {
        added.incidents.push(with_id(d, "inc-story-stolen-car"));
    }
    let story = StolenCarStory {
        plate: car.plate.clone(),
        incident: IncidentId("inc-story-stolen-car".to_owned()),
        stolen_at,
        checkpoint: CheckpointId("kk-01".to_owned()),
        direction: "inbound".to_owned(),
        live_offset: w.live_offset,
        colour: car.colour.clone(),
        vehicle_type: car.vehicle_type.clone(),
    };
    added.vehicles.push(car);
    story
}

fn night_walk(w: &World<'_>) -> NightWalkStory {
    let metals = &w.kps[find(w.kps, "kp-metals")];
    let dashan = w.ground.places.iter().find(|p| p.name == "大山社区");
    let home_xy = dashan.map_or(metals.xy, |p| crate::world::to_xy(p.position));
    let from = w.model.net.nearest_node(home_xy);
    let path = w.model.net.path(metals.node, from).unwrap_or_default();
    let mut route = vec![to_lonlat(metals.xy)];
    route.extend(path.iter().map(|n| to_lonlat(w.model.net.pts[*n])));
    route.push(to_lonlat(home_xy));
    let xy: Vec<[f64; 2]> = route.iter().map(|p| crate::world::to_xy(*p)).collect();
    let distance_m = xy.windows(2).map(|p| dist(p[0], p[1])).sum::<f64>().round();
    NightWalkStory {
        work: metals.place.id.clone(),
        home: dashan.map_or_else(String::new, |p| p.name.clone()),
        route,
        distance_m,
        patrol_units: w.night_units.clone(),
    }
}
