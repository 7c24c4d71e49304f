//! The geography as a GeoJSON `FeatureCollection` in the layout pingan's geography import reads:
//! properties `kind`, `id`, `name`, `name_en`, `parent`, `road_class` (roads), plus extras
//! (`population`, `category`, `place`, `town`) that the import keeps as they are.
//!
//! Rings are closed, counter-clockwise, and built from the shared lattice vertices.

use serde_json::{json, Map, Value};

use crate::model::{KeyPlace, KeyRoad, Road};
use crate::world::{rect_ring, to_lonlat, Ground, DISTRICT_ID, NI, NJ, TOWNS};

fn ring(ground: &Ground, vertices: &[usize]) -> Value {
    let mut coords: Vec<Value> = vertices
        .iter()
        .map(|v| {
            let (lon, lat) = to_lonlat(ground.pts[*v]);
            json!([lon, lat])
        })
        .collect();
    if let Some(first) = coords.first().cloned() {
        coords.push(first);
    }
    Value::Array(coords)
}

fn line(points: &[(f64, f64)]) -> Value {
    Value::Array(points.iter().map(|(lon, lat)| json!([lon, lat])).collect())
}

fn feature(props: Map<String, Value>, geometry: Value) -> Value {
    json!({"type": "Feature", "properties": props, "geometry": geometry})
}

fn props(
    kind: &str,
    id: &str,
    name: &str,
    name_en: &str,
    parent: Option<&str>,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("kind".into(), kind.into());
    m.insert("id".into(), id.into());
    m.insert("name".into(), name.into());
    m.insert("name_en".into(), name_en.into());
    if let Some(p) = parent {
        m.insert("parent".into(), p.into());
    }
    m
}

/// Writes the collection: district, towns, grids, key places, key road sections, roads.
pub(crate) fn write(
    ground: &Ground,
    key_places: &[KeyPlace],
    key_roads: &[KeyRoad],
    roads: &[Road],
    town_population: &[u32; 5],
) -> String {
    let mut features = Vec::new();
    let mut p = props("district", DISTRICT_ID, "临港区", "Linggang District", None);
    p.insert(
        "population".into(),
        town_population.iter().sum::<u32>().into(),
    );
    features.push(feature(
        p,
        json!({"type": "Polygon", "coordinates": [ring(ground, &rect_ring(0, 0, NI, NJ))]}),
    ));
    for (k, t) in TOWNS.iter().enumerate() {
        let kind = if t.subdistrict { "subdistrict" } else { "town" };
        let mut p = props(kind, t.id, t.name, t.name_en, Some(DISTRICT_ID));
        p.insert("population".into(), town_population[k].into());
        let [i0, j0, i1, j1] = t.rect;
        features.push(feature(
            p,
            json!({"type": "Polygon", "coordinates": [ring(ground, &rect_ring(i0, j0, i1, j1))]}),
        ));
    }
    for g in &ground.grids {
        let name_en = format!(
            "{} grid {}",
            TOWNS[g.town].name_en,
            g.grid.id.0.rsplit('-').next().unwrap_or("")
        );
        let mut p = props(
            "grid",
            &g.grid.id.0,
            &g.grid.name,
            &name_en,
            Some(TOWNS[g.town].id),
        );
        p.insert("population".into(), g.grid.population.into());
        p.insert("place".into(), g.grid.place.clone().into());
        p.insert("place_id".into(), ground.places[g.place].id.clone().into());
        features.push(feature(
            p,
            json!({"type": "Polygon", "coordinates": [ring(ground, &g.ring)]}),
        ));
    }
    for k in key_places {
        let mut p = props("key_place", &k.id.0, &k.name, &k.name_en, Some(&k.town.0));
        p.insert("category".into(), k.category.clone().into());
        features.push(feature(
            p,
            json!({"type": "Point", "coordinates": [k.position.0, k.position.1]}),
        ));
    }
    for k in key_roads {
        let mut p = props("key_road", &k.id, &k.name, &k.name_en, None);
        p.insert("road".into(), k.road_name.clone().into());
        features.push(feature(
            p,
            json!({"type": "LineString", "coordinates": line(&k.line)}),
        ));
    }
    for r in roads {
        let mut p = props("road", &r.id, &r.name, &r.name_en, None);
        p.insert("road_class".into(), r.class.as_str().into());
        features.push(feature(
            p,
            json!({"type": "LineString", "coordinates": line(&r.line)}),
        ));
    }
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

#[cfg(test)]
mod tests {
    use geo::{Contains, Geometry};
    use pingan_spatial::geography::{parse_feature_collection, FeatureKind};

    use crate::network::build_network;
    use crate::places::{key_places, key_roads};
    use crate::world::build_ground;

    /// The geography of many seeds parses, and grids and roads stay inside their areas.
    #[test]
    fn geography_is_valid_for_many_seeds() {
        for seed in 0..6 {
            let ground = build_ground(seed);
            let net = build_network(&ground);
            let kps: Vec<_> = key_places(&ground, &net)
                .into_iter()
                .map(|k| k.place)
                .collect();
            let text = super::write(&ground, &kps, &key_roads(&ground), &net.roads, &[1; 5]);
            let features = match parse_feature_collection(&text) {
                Ok(f) => f,
                Err(e) => panic!("seed {seed}: {}", e[0]),
            };
            let poly = |id: &str| {
                features
                    .iter()
                    .find(|f| f.id == id)
                    .and_then(|f| match &f.geometry {
                        Geometry::Polygon(p) => Some(p.clone()),
                        _ => None,
                    })
            };
            let district = poly("d-lg").unwrap();
            for f in &features {
                match (&f.kind, &f.geometry) {
                    (FeatureKind::Grid, Geometry::Polygon(p)) => {
                        let town = poly(f.parent.as_deref().unwrap_or("")).unwrap();
                        assert!(town.contains(p), "seed {seed}: grid {}", f.id);
                    }
                    (FeatureKind::Road, Geometry::LineString(l)) => {
                        assert!(district.contains(l), "seed {seed}: road {}", f.id);
                    }
                    (FeatureKind::KeyPlace, Geometry::Point(p)) => {
                        let town = poly(f.parent.as_deref().unwrap_or("")).unwrap();
                        assert!(town.contains(p), "seed {seed}: key place {}", f.id);
                    }
                    _ => {}
                }
            }
        }
    }
}
