//! The order of generation: ground, network, places, sensors, traffic, incidents, activity,
//! stories; then everything is sorted by time and numbered.

use crate::activity;
use crate::incidents::{self, Ctx};
use crate::model::{Incident, IncidentId, KeyPlaceId, RoadClass, Town, TownId};
use crate::network::build_network;
use crate::places;
use crate::rng::Cumulative;
use crate::sensors;
use crate::stories;
use crate::time::DAY;
use crate::traffic::{self, Inputs, Model};
use crate::world::{build_ground, to_lonlat, TOWNS};
use crate::{DemoConfig, District, Scale, Volumes};

/// Days of incident history.
const INCIDENT_DAYS: i64 = 365;
/// Days of plate reads.
const READ_DAYS: i64 = 30;
/// Days of detections (reaching back to the first story date, 8 May).
const DETECTION_DAYS: i64 = 36;

#[expect(
    clippy::too_many_lines,
    reason = "the generator's steps in their order; each is short and the order is what it means"
)]
pub(crate) fn build(cfg: &DemoConfig) -> District {
    let seed = cfg.seed;
    let full = cfg.scale == Scale::Full;
    let ground = build_ground(seed);
    let net = build_network(&ground);
    let kps = places::key_places(&ground, &net);
    let key_roads = places::key_roads(&ground);
    let spots = sensors::spots(&ground, &kps);
    let cameras = sensors::cameras(seed, &ground, &net, &kps, &spots);
    let cps = sensors::checkpoints(&ground, &net);
    let units = sensors::units(seed);
    let duty = sensors::roster(
        &units,
        &kps,
        cfg.start_day - INCIDENT_DAYS * DAY,
        INCIDENT_DAYS + 30,
    );

    let mut town_population = [0u32; 5];
    for g in &ground.grids {
        town_population[g.town] += g.grid.population;
    }
    let towns: Vec<Town> = TOWNS
        .iter()
        .enumerate()
        .map(|(k, t)| Town {
            id: TownId(t.id.to_owned()),
            name: t.name.to_owned(),
            name_en: t.name_en.to_owned(),
            subdistrict: t.subdistrict,
            seat: to_lonlat(ground.at(t.seat.0, t.seat.1)),
            population: town_population[k],
            police_station: KeyPlaceId(format!("kp-{}-police", t.short)),
        })
        .collect();

    let home_nodes: Vec<(usize, f64)> = ground
        .places
        .iter()
        .enumerate()
        .map(|(p, pl)| {
            let (i, j) = ground.place_vertex[p];
            (net.nearest_node(ground.at(i, j)), f64::from(pl.population))
        })
        .collect();
    let entries = sensors::entry_nodes();
    let mut destinations: Vec<usize> = kps.iter().map(|k| k.node).collect();
    destinations.extend(entries.iter().copied());
    let model = Model::new(&net, &cps, &destinations);
    let volumes = if full {
        traffic::Volumes {
            residents: 14_000,
            through_pool: 9_000,
            through_trips_per_day: 2_600.0,
            goods: 700,
        }
    } else {
        traffic::Volumes {
            residents: 600,
            through_pool: 400,
            through_trips_per_day: 120.0,
            goods: 30,
        }
    };
    let inputs = Inputs {
        kps: &kps,
        entries: &entries,
        home_nodes: &home_nodes,
    };
    let (mut vehicles, mut reads) =
        traffic::generate(seed, &model, &inputs, volumes, cfg.start_day, READ_DAYS);

    let road_segments: Vec<([f64; 2], [f64; 2])> = net
        .edges
        .iter()
        .map(|e| (net.pts[e.a as usize], net.pts[e.b as usize]))
        .collect();
    let road_weights = Cumulative::new(
        &net.edges
            .iter()
            .map(|e| {
                e.length_m
                    * match e.class {
                        RoadClass::Arterial => 3.0,
                        RoadClass::County | RoadClass::Other => 2.0,
                        RoadClass::Village => 0.5,
                    }
            })
            .collect::<Vec<_>>(),
    );
    let call_signs: [Vec<String>; 5] = std::array::from_fn(|k| {
        units
            .iter()
            .filter(|u| u.town.0 == TOWNS[k].id)
            .map(|u| u.call_sign.clone())
            .collect()
    });
    let ctx = Ctx {
        ground: &ground,
        kps: &kps,
        road_segments: &road_segments,
        road_weights: &road_weights,
        call_signs: &call_signs,
    };
    let mut drafts = incidents::year(
        seed,
        &ctx,
        cfg.start_day,
        INCIDENT_DAYS,
        if full { 1.0 } else { 0.1 },
    );

    let night_units = units
        .iter()
        .filter(|u| {
            duty.iter()
                .any(|s| s.unit == u.id && s.route.iter().any(|r| r.0 == "kp-metals"))
        })
        .map(|u| u.id.clone())
        .collect();
    let world = stories::World {
        ground: &ground,
        kps: &kps,
        spots: &spots,
        model: &model,
        ctx: &ctx,
        home_nodes: &home_nodes,
        entries: &entries,
        night_units,
        start_day: cfg.start_day,
        live_offset: cfg.stolen_car_offset,
    };
    let (stories, added) = stories::build(seed, &world);
    drafts.extend(added.incidents);
    reads.extend(added.reads);
    vehicles.extend(added.vehicles);

    // Number the incidents in report order; story incidents keep their fixed ids.
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|k| (drafts[*k].incident.reported_at, *k));
    let mut ids = vec![String::new(); drafts.len()];
    let mut n = 0;
    for &k in &order {
        ids[k] = if drafts[k].incident.id.0.is_empty() {
            n += 1;
            format!("inc-{n:06}")
        } else {
            drafts[k].incident.id.0.clone()
        };
    }
    let incidents: Vec<Incident> = order
        .iter()
        .map(|&k| {
            let mut i = drafts[k].incident.clone();
            i.id = IncidentId(ids[k].clone());
            i.near_repeat_of = drafts[k].parent.map(|p| IncidentId(ids[p].clone()));
            i
        })
        .collect();

    reads.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then_with(|| a.checkpoint.cmp(&b.checkpoint))
    });
    let track_days = if full { 30 } else { 4 };
    let mut unit_tracks = activity::tracks(
        seed,
        &net,
        &kps,
        &duty,
        cfg.start_day - track_days * DAY,
        cfg.start_day,
    );
    unit_tracks.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.unit.cmp(&b.unit)));
    let mut detections = activity::detections(
        seed,
        &cameras,
        cfg.start_day - DETECTION_DAYS * DAY,
        cfg.start_day,
        if full { 1.0 } else { 0.05 },
    );
    detections.extend(added.detections);
    detections.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.camera.cmp(&b.camera)));
    let mut n = 0;
    for d in &mut detections {
        if d.id.is_empty() {
            n += 1;
            d.id = format!("det-{n:07}");
        }
    }

    let volumes = Volumes {
        population: town_population.iter().sum(),
        grids: ground.grids.len(),
        places: ground.places.len(),
        roads: net.roads.len(),
        road_km: (net.edges.iter().map(|e| e.length_m).sum::<f64>() / 100.0).round() / 10.0,
        key_places: kps.len(),
        cameras: cameras.len(),
        analytics_cameras: cameras.iter().filter(|c| c.analytics).count(),
        checkpoints: cps.len(),
        vehicles: vehicles.len(),
        incidents: incidents.len(),
        incident_days: INCIDENT_DAYS,
        plate_reads: reads.len(),
        read_days: READ_DAYS,
        reads_per_day: (reads.len() as f64 / READ_DAYS as f64).round(),
        misreads: reads.iter().filter(|r| r.misread).count(),
        track_points: unit_tracks.len(),
        track_days,
        detections: detections.len(),
        detection_days: DETECTION_DAYS,
    };
    let key_places: Vec<_> = kps.iter().map(|k| k.place.clone()).collect();
    let field_logs = crate::fieldlogs::logs(seed, &duty, &key_places, cfg.start_day);
    let geojson = crate::geojson::write(
        &ground,
        &key_places,
        &key_roads,
        &net.roads,
        &town_population,
    );
    District {
        config: cfg.clone(),
        geojson,
        towns,
        grids: ground.grids.iter().map(|g| g.grid.clone()).collect(),
        places: ground.places.clone(),
        key_places,
        key_roads,
        roads: net.roads.clone(),
        network: net.public(),
        platforms: sensors::platforms(),
        cameras,
        checkpoints: cps.into_iter().map(|c| c.checkpoint).collect(),
        units,
        duty,
        vehicles,
        incidents,
        plate_reads: reads,
        unit_tracks,
        detections,
        field_logs,
        stories,
        volumes,
    }
}
