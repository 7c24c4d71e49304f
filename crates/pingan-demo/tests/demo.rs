//! The generator's invariants, checked on a small-scale district with the same parser and index
//! the product uses (`pingan-spatial`).

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use geo::{Area, Contains, Geometry};
use pingan_demo::{
    generate, District, LiveEvent, LiveSim, Scale, DAY, DEFAULT_START_DAY, HOUR, INCIDENT_TYPES,
    SECOND,
};
use pingan_spatial::cameras::{Camera as SpatialCamera, CameraIndex};
use pingan_spatial::geography::{parse_feature_collection, FeatureKind, GeoFeature, Geography};

fn district() -> &'static District {
    static D: OnceLock<District> = OnceLock::new();
    D.get_or_init(|| generate(42, Scale::Small))
}

fn features() -> &'static Vec<GeoFeature> {
    static F: OnceLock<Vec<GeoFeature>> = OnceLock::new();
    F.get_or_init(|| match parse_feature_collection(&district().geojson) {
        Ok(f) => f,
        Err(errors) => panic!("{} problems, first: {}", errors.len(), errors[0]),
    })
}

fn geography() -> &'static Geography {
    static G: OnceLock<Geography> = OnceLock::new();
    G.get_or_init(|| Geography::build(features().clone()))
}

fn polygon(f: &GeoFeature) -> geo::Polygon<f64> {
    match &f.geometry {
        Geometry::Polygon(p) => p.clone(),
        other => panic!("{} is not a polygon: {other:?}", f.id),
    }
}

#[test]
fn geography_parses_with_the_expected_layers() {
    let f = features();
    let count = |k: FeatureKind| f.iter().filter(|x| x.kind == k).count();
    assert_eq!(count(FeatureKind::District), 1);
    assert_eq!(count(FeatureKind::Town), 4);
    assert_eq!(count(FeatureKind::Subdistrict), 1);
    assert!(
        (300..=400).contains(&count(FeatureKind::Grid)),
        "{}",
        count(FeatureKind::Grid)
    );
    assert!(count(FeatureKind::KeyPlace) >= 40);
    assert!(count(FeatureKind::KeyRoad) >= 8);
    assert!(count(FeatureKind::Road) > 300);
    for name in [
        "壮岗镇",
        "团林镇",
        "坪上镇",
        "朱芦镇",
        "板团路",
        "壮岗供销商场",
        "临港汽车站",
        "临港有色金属公司",
    ] {
        assert!(f.iter().any(|x| x.name == name), "{name} missing");
    }
    let d = district();
    for name in ["西朱沙沟村", "大山社区"] {
        assert!(d.places.iter().any(|p| p.name == name), "{name} missing");
    }
    let pop: u32 = d.grids.iter().map(|g| g.population).sum();
    assert!((195_000..=205_000).contains(&pop), "{pop}");
}

#[test]
fn grids_lie_in_their_towns_and_towns_tile_the_district() {
    let f = features();
    let district = f
        .iter()
        .find(|x| x.kind == FeatureKind::District)
        .map(polygon)
        .unwrap();
    let towns: HashMap<&str, geo::Polygon<f64>> = f
        .iter()
        .filter(|x| matches!(x.kind, FeatureKind::Town | FeatureKind::Subdistrict))
        .map(|x| (x.id.as_str(), polygon(x)))
        .collect();
    let town_area: f64 = towns.values().map(|p| p.unsigned_area()).sum();
    assert!(
        (town_area - district.unsigned_area()).abs()
            < 1e-9 * district.unsigned_area().max(1.0) + 1e-12
    );
    for t in towns.values() {
        assert!(district.contains(t));
    }
    let mut grid_area = 0.0;
    for g in f.iter().filter(|x| x.kind == FeatureKind::Grid) {
        let parent = g.parent.as_deref().unwrap();
        let town = &towns[parent];
        let p = polygon(g);
        grid_area += p.unsigned_area();
        assert!(town.contains(&p), "grid {} outside its town {parent}", g.id);
    }
    assert!((grid_area - town_area).abs() < 1e-9 * town_area);
}

#[test]
fn roads_lie_in_the_district_and_form_one_network() {
    let f = features();
    let district = f
        .iter()
        .find(|x| x.kind == FeatureKind::District)
        .map(polygon)
        .unwrap();
    let mut parent: HashMap<(u64, u64), (u64, u64)> = HashMap::new();
    fn root(p: &mut HashMap<(u64, u64), (u64, u64)>, k: (u64, u64)) -> (u64, u64) {
        let mut r = k;
        while let Some(&n) = p.get(&r) {
            if n == r {
                break;
            }
            r = n;
        }
        p.insert(k, r);
        r
    }
    for r in f
        .iter()
        .filter(|x| matches!(x.kind, FeatureKind::Road | FeatureKind::KeyRoad))
    {
        let Geometry::LineString(l) = &r.geometry else {
            panic!("{} not a line", r.id)
        };
        assert!(district.contains(l), "road {} leaves the district", r.id);
        if r.kind == FeatureKind::Road {
            let key = |c: &geo::Coord<f64>| (c.x.to_bits(), c.y.to_bits());
            let (a, b) = (key(&l.0[0]), key(l.0.last().unwrap()));
            parent.entry(a).or_insert(a);
            parent.entry(b).or_insert(b);
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            parent.insert(ra, rb);
        }
    }
    let keys: Vec<_> = parent.keys().copied().collect();
    let roots: BTreeSet<_> = keys.into_iter().map(|k| root(&mut parent, k)).collect();
    assert_eq!(
        roots.len(),
        1,
        "roads must share endpoints into one network"
    );
}

#[test]
fn sensors_are_valid_and_placed() {
    let d = district();
    let g = geography();
    assert_eq!(d.cameras.len(), 2_665);
    assert_eq!(d.platforms.len(), 5);
    let cams: Vec<SpatialCamera<usize>> = d
        .cameras
        .iter()
        .enumerate()
        .map(|(k, c)| SpatialCamera {
            key: k,
            lon: c.position.0,
            lat: c.position.1,
            heading_deg: c.heading_deg,
            fov_deg: c.fov_deg,
            range_m: c.range_m,
            ptz: c.ptz,
        })
        .collect();
    let index = CameraIndex::build(cams).unwrap_or_else(|e| panic!("{}", e[0]));
    for c in &d.cameras {
        assert!(
            g.contains_point(c.position.0, c.position.1),
            "{} outside",
            c.id
        );
        assert!(
            (50.0..=100.0).contains(&c.fov_deg) && (30.0..=120.0).contains(&c.range_m),
            "{c:?}"
        );
        assert!(d.platforms.iter().any(|p| p.id == c.platform));
    }
    assert!(d.cameras.iter().any(|c| c.ptz));
    // The story cameras see their spots.
    let store = d.stories.bicycle.spot;
    assert!(index.visible_from(store.0, store.1).len() >= 2);
    let dump = d.stories.dumpster.spot;
    assert!(index.visible_from(dump.0, dump.1).len() >= 3);

    assert_eq!(d.checkpoints.len(), 15);
    assert_eq!(d.checkpoints.iter().filter(|c| c.entry).count(), 10);
    for c in &d.checkpoints {
        let hit = g.nearest_road(c.position.0, c.position.1).unwrap();
        assert!(
            hit.distance_m <= 1.0,
            "{} is {} m from a road",
            c.id,
            hit.distance_m
        );
        assert!(c.lanes.len() >= 2);
    }
    assert_eq!(d.units.len(), 12);
    let mut per_day: HashMap<i64, usize> = HashMap::new();
    for s in &d.duty {
        *per_day
            .entry((s.start - d.config.start_day).div_euclid(DAY))
            .or_default() += 1;
    }
    assert!(per_day.values().all(|n| *n == 6));
}

#[test]
fn history_has_structure() {
    let d = district();
    let g = geography();
    let start = d.config.start_day - 365 * DAY;
    assert!(d.incidents.len() > 800, "{}", d.incidents.len());
    let thefts = d
        .incidents
        .iter()
        .filter(|i| i.type_code.starts_with("theft"))
        .count();
    assert!(
        thefts * 100 > d.incidents.len() * 40,
        "theft share {thefts}/{}",
        d.incidents.len()
    );
    assert!(d
        .incidents
        .windows(2)
        .all(|w| w[0].reported_at <= w[1].reported_at));
    for i in &d.incidents {
        assert!(INCIDENT_TYPES.iter().any(|t| t.0 == i.type_code));
        assert!((1..=4).contains(&i.priority));
        assert!(i.reported_at >= start && i.reported_at < d.config.start_day);
        assert!(
            i.reported_at < i.dispatched_at
                && i.dispatched_at < i.arrived_at
                && i.arrived_at < i.closed_at
        );
        assert!(g.contains_point(i.position.0, i.position.1), "{}", i.id);
        let loc = g.locate(i.position.0, i.position.1);
        assert_eq!(loc.town.map(|t| t.0), Some(i.town.0.clone()), "{}", i.id);
        assert_eq!(
            loc.grid.map(|t| t.0),
            Some(i.grid.0.clone()),
            "{} {:?}",
            i.id,
            i.position
        );
    }
    assert!(d.incidents.iter().any(|i| i.near_repeat_of.is_some()));
    let series: BTreeSet<_> = d
        .incidents
        .iter()
        .filter_map(|i| i.series.clone())
        .collect();
    assert!(series.len() >= 4, "{series:?}");

    assert!(!d.plate_reads.is_empty());
    assert!(d.plate_reads.windows(2).all(|w| w[0].at <= w[1].at));
    let ids: BTreeSet<_> = d.checkpoints.iter().map(|c| c.id.clone()).collect();
    assert!(d
        .plate_reads
        .iter()
        .all(|r| ids.contains(&r.checkpoint) && r.plate.chars().count() == 7));
    let per_cp: BTreeSet<_> = d.plate_reads.iter().map(|r| r.checkpoint.clone()).collect();
    assert_eq!(per_cp.len(), 15, "every checkpoint reads traffic");
    assert!(!d.unit_tracks.is_empty());
    assert!(d
        .unit_tracks
        .iter()
        .all(|t| g.contains_point(t.position.0, t.position.1)));
    assert!(
        d.detections.iter().any(|x| x.label == "person")
            && d.detections.iter().any(|x| x.label == "car")
    );
    assert!(d.detections.iter().all(|x| !x.id.is_empty()));
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "a test reads as one story, from its set-up to its last check"
)]
fn the_stories_are_present_and_findable() {
    let d = district();
    let by_id = |id: &str| {
        d.incidents
            .iter()
            .find(|i| i.id.0 == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    let b = &d.stories.bicycle;
    assert_eq!(b.thefts.len(), 2);
    let day = |t: i64| (t - DEFAULT_START_DAY).div_euclid(DAY);
    assert_eq!(day(by_id(&b.thefts[0].0).reported_at), -33, "8 May");
    assert_eq!(day(by_id(&b.thefts[1].0).reported_at), -28, "13 May");
    assert_eq!(day(by_id(&b.arrest.0).reported_at), -13, "28 May");
    assert_eq!(by_id(&b.arrest.0).outcome, "arrested");
    assert_eq!(by_id(&b.thefts[0].0).town.0, "t-zg");
    let sightings: Vec<_> = d
        .detections
        .iter()
        .filter(|x| b.detections.contains(&x.id) && x.label == "person")
        .collect();
    assert!(sightings.len() >= 6);
    assert!(sightings.iter().all(|x| x.colour.as_deref()
        == Some(b.appearance.upper_colour.as_str())
        && x.attributes == b.appearance.attributes));

    let s = &d.stories.dumpster;
    assert_eq!(by_id(&s.incident.0).town.0, "t-tl");
    let trucks: Vec<_> = d
        .detections
        .iter()
        .filter(|x| s.detections.contains(&x.id))
        .collect();
    assert!(
        trucks.len() >= 3
            && trucks
                .iter()
                .all(|x| x.label == "truck" && x.colour.as_deref() == Some("white"))
    );
    assert!(s.trajectory.len() >= 3, "{:?}", s.trajectory);
    let reads: Vec<_> = d
        .plate_reads
        .iter()
        .filter(|r| r.plate == s.plate)
        .collect();
    assert_eq!(
        reads.len(),
        s.trajectory.len() + reads.iter().filter(|r| r.at < s.stolen_at).count()
    );
    assert!(s.stopped_time > s.stolen_at && !s.stopped_road.is_empty());

    let c = &d.stories.co_travel;
    let cps: BTreeSet<_> = c.passes.iter().map(|p| p.checkpoint.clone()).collect();
    assert!(
        c.passes.len() >= 5 && cps.len() >= 5,
        "{} passes at {} checkpoints",
        c.passes.len(),
        cps.len()
    );
    // The whole series lies in the six days before the start day, so an investigator can query
    // it without a second person's approval (7 days) whatever the hour.
    let week = 6 * 24 * 3600 * SECOND;
    assert!(c
        .passes
        .iter()
        .all(|p| p.leader_at >= d.config.start_day - week && p.follower_at < d.config.start_day));
    for p in &c.passes {
        let gap = p.follower_at - p.leader_at;
        assert!((30 * SECOND..=90 * SECOND).contains(&gap));
        assert!(d.plate_reads.iter().any(|r| r.plate == c.follower
            && r.at == p.follower_at
            && r.checkpoint == p.checkpoint));
    }

    let car = &d.stories.stolen_car;
    assert!(d
        .plate_reads
        .iter()
        .filter(|r| r.plate == car.plate)
        .all(|r| r.at < car.stolen_at));
    let mut live = LiveSim::new(d, 7, d.config.start_day);
    let mut seen = None;
    for k in 0..30 {
        for e in live.step(d.config.start_day + k * 60 * SECOND, 60 * SECOND) {
            if let LiveEvent::PlateRead(r) = e {
                if r.plate == car.plate && seen.is_none() {
                    seen = Some((r.checkpoint.clone(), r.at));
                }
            }
        }
    }
    assert_eq!(
        seen,
        Some((car.checkpoint.clone(), d.config.start_day + car.live_offset))
    );
    assert!(
        d.stories.night_walk.distance_m < 2_500.0,
        "{}",
        d.stories.night_walk.distance_m
    );
    assert!(!d.stories.night_walk.patrol_units.is_empty());
}

#[test]
fn generation_is_deterministic() {
    let a = district().fingerprint();
    let b = generate(42, Scale::Small).fingerprint();
    assert_eq!(a, b);
    let c = generate(43, Scale::Small);
    assert_ne!(a, c.fingerprint());
}

#[test]
fn live_run_moves_units_and_is_deterministic() {
    let d = district();
    let start = d.config.start_day + 8 * HOUR;
    let run = || {
        let mut sim = LiveSim::new(d, 9, start);
        let mut all = Vec::new();
        for k in 0..120 {
            all.extend(sim.step(start + k * 30 * SECOND, 30 * SECOND));
        }
        all
    };
    let events = run();
    assert_eq!(events, run());
    let g = geography();
    let positions: Vec<_> = events
        .iter()
        .filter_map(|e| {
            if let LiveEvent::UnitPosition(t) = e {
                Some(t)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(positions.len(), 6 * 120);
    assert!(positions
        .iter()
        .all(|t| g.contains_point(t.position.0, t.position.1)));
    assert!(positions.iter().any(|t| t.speed_kmh > 0.0));
    assert!(events.iter().any(|e| matches!(e, LiveEvent::PlateRead(_))));
    assert!(events.iter().any(|e| matches!(e, LiveEvent::Detection(_))));
    assert!(events.windows(2).all(|w| w[0].at() <= w[1].at()));
    assert!(events
        .iter()
        .all(|e| e.at() >= start && e.at() < start + 120 * 30 * SECOND));
}

#[test]
fn live_calls_are_answered_by_units_driving_to_them() {
    let d = district();
    let start = d.config.start_day;
    let mut sim = LiveSim::new(d, 11, start);
    let mut events = Vec::new();
    for k in 0..288 {
        events.extend(sim.step(start + k * 300 * SECOND, 300 * SECOND));
    }
    let calls = events
        .iter()
        .filter(|e| matches!(e, LiveEvent::Call(_)))
        .count();
    let dispatched: Vec<_> = events
        .iter()
        .filter_map(|e| {
            if let LiveEvent::Dispatched { unit, incident, .. } = e {
                Some((unit, incident))
            } else {
                None
            }
        })
        .collect();
    assert!(calls > 0 && !dispatched.is_empty(), "{calls} calls");
    // Every dispatched unit that arrives does so at the call it was sent to.
    for e in &events {
        if let LiveEvent::Arrived { unit, incident, .. } = e {
            assert!(dispatched.iter().any(|(u, i)| *u == unit && *i == incident));
        }
    }
    assert!(events
        .iter()
        .any(|e| matches!(e, LiveEvent::Arrived { .. })));
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, LiveEvent::UnitPosition(_)))
            .count(),
        6 * 288
    );
}

#[test]
fn a_unit_given_published_stops_drives_to_each_and_stays_until_its_departure() {
    let d = district();
    let start = d.config.start_day + 9 * HOUR;
    let mut sim = LiveSim::new(d, 5, start);
    let unit = sim.patrol_units()[0].clone();
    // A key place of the district, to be left 40 minutes after the start.
    let stop = d.key_places[d.key_places.len() / 2].position;
    sim.set_orders(&unit, &[(stop, start + 40 * 60 * SECOND)]);
    let mut near = Vec::new();
    for k in 0..60 {
        for e in sim.step(start + k * 60 * SECOND, 60 * SECOND) {
            if let LiveEvent::UnitPosition(t) = e {
                if t.unit.0 == unit {
                    let dx = (t.position.0 - stop.0) * 91_000.0;
                    let dy = (t.position.1 - stop.1) * 111_000.0;
                    near.push((t.at, dx.hypot(dy) < 300.0));
                }
            }
        }
    }
    // It got there, stayed until the departure, and drove on.
    let first = near
        .iter()
        .position(|n| n.1)
        .expect("the unit reaches its stop");
    let stayed = near[first..].iter().take_while(|n| n.1).count() as i64;
    let departs = start + 40 * 60 * SECOND;
    let arrived = near[first].0;
    assert!(
        arrived < departs,
        "arrived at {arrived}, after the departure"
    );
    let until = arrived + stayed * 60 * SECOND;
    assert!(
        (departs - 2 * 60 * SECOND..=departs + 5 * 60 * SECOND).contains(&until),
        "arrived {} min after the start and stayed {stayed} min",
        (arrived - start) / (60 * SECOND)
    );
    assert!(
        near.last().is_some_and(|n| !n.1),
        "it drove on after the stop"
    );
}

#[test]
fn the_history_holds_the_report_s_patrol_figures() {
    let d = district();
    let count = |kind: &str| d.field_logs.iter().filter(|l| l.kind == kind).count();
    // The report: over 90 services to the public; 31 disputes mediated or cases solved.
    assert!(count("service") > 90, "{}", count("service"));
    assert_eq!(count("mediation") + count("case_solved"), 31);
    assert!(d.field_logs.iter().all(|l| l.at < d.config.start_day));
    assert!(d.field_logs.windows(2).all(|w| w[0].at <= w[1].at));
    // Each log lies inside a shift of its unit.
    for l in &d.field_logs {
        assert!(
            d.duty
                .iter()
                .any(|s| s.unit == l.unit && s.start <= l.at && l.at < s.end),
            "{} is outside its unit's shifts",
            l.id
        );
    }
    let ids: std::collections::BTreeSet<&str> =
        d.field_logs.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids.len(), d.field_logs.len());
}
