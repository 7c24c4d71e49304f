//! `pingan analyze kde|gistar|knox|profile|trend|pai|linkage --events FILE [params] [--out FILE]`.
//!
//! Runs the same analyses as the `/api/v1/analytics/…` endpoints on an events file and prints
//! (or writes) the JSON answer. Events come from a CSV file with a header row (`id, lon, lat,
//! time, type, town, text`; the last three optional) or a GeoJSON FeatureCollection of points
//! (properties `id` or the feature id, `time`, `type`, `town`, `text`). Parameters are the API's:
//! the common ones as flags, any other with `--params '{"…": …}'` (flags win). The checks and
//! the computations are the server's own (`pingan_analytics::domain`), so the CLI and the
//! API give the same answer for the same input. This command reads no configuration and opens
//! no database.

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use pingan_analytics::domain::compute::{
    self, GiStarQuery, KdeQuery, KnoxQuery, LinkageQuery, PaiQuery, ProfileQuery, TrendQuery,
};
use pingan_analytics::domain::input::{Crs, EventDto, EventFilter, EventKey, Input};
use pingan_analytics::domain::png;
use pingan_analytics::AnalyticsError;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum AnalyzeCommand {
    /// Kernel density: GeoJSON cells and top-N hotspot polygons (or a PNG with --format png).
    Kde {
        #[command(flatten)]
        common: Common,
        /// gaussian or quartic.
        #[arg(long)]
        kernel: Option<String>,
        #[arg(long)]
        bandwidth_m: Option<f64>,
        #[arg(long)]
        cell_m: Option<f64>,
        #[arg(long)]
        top_n: Option<usize>,
        #[arg(long)]
        quantile: Option<f64>,
        /// json (default) or png (needs --out).
        #[arg(long, default_value = "json")]
        format: String,
    },
    /// Getis-Ord Gi* hot and cold spots on square cells or H3 hexagons.
    Gistar {
        #[command(flatten)]
        common: Common,
        /// square or h3.
        #[arg(long)]
        grid: Option<String>,
        #[arg(long)]
        cell_m: Option<f64>,
        #[arg(long)]
        h3_resolution: Option<u8>,
        #[arg(long)]
        permutations: Option<u32>,
        #[arg(long)]
        seed: Option<u64>,
    },
    /// The Knox near-repeat test (observed/expected table, p-values, risk zone).
    Knox {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        spatial_bandwidth_m: Option<f64>,
        #[arg(long)]
        spatial_bands: Option<u32>,
        #[arg(long)]
        temporal_bandwidth_days: Option<f64>,
        #[arg(long)]
        temporal_bands: Option<u32>,
        /// euclidean or manhattan.
        #[arg(long)]
        metric: Option<String>,
        #[arg(long)]
        permutations: Option<u32>,
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Hour of day × day of week, overall, by type and by town.
    Profile {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        utc_offset_s: Option<i32>,
    },
    /// Weekly counts with a baseline and unusual-week flags.
    Trend {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        utc_offset_s: Option<i32>,
        #[arg(long)]
        trailing_weeks: Option<u32>,
        #[arg(long)]
        threshold: Option<f64>,
    },
    /// Prediction accuracy index of the KDE map before --split-at against the events after it.
    Pai {
        #[command(flatten)]
        common: Common,
        /// RFC 3339 start of the later period.
        #[arg(long)]
        split_at: String,
        #[arg(long)]
        until: Option<String>,
        #[arg(long)]
        bandwidth_m: Option<f64>,
        #[arg(long)]
        cell_m: Option<f64>,
        #[arg(long)]
        area_share: Option<f64>,
    },
    /// Serial-case linkage: the cases most likely to share --case's offender, and likely series.
    Linkage {
        #[command(flatten)]
        common: Common,
        /// The case (event id) to rank the others against.
        #[arg(long = "case")]
        case_id: Option<String>,
        #[arg(long)]
        top_k: Option<usize>,
        #[arg(long)]
        series_threshold: Option<f64>,
    },
}

/// Options every analysis takes.
#[derive(Debug, Args)]
pub struct Common {
    /// The events: .csv (id, lon, lat, time, type, town, text) or .geojson/.json (points).
    #[arg(long)]
    pub events: PathBuf,
    /// More parameters as a JSON object, as in the API's `params` (flags override it).
    #[arg(long)]
    pub params: Option<String>,
    /// Keep only this offence type (repeatable).
    #[arg(long = "type")]
    pub types: Vec<String>,
    /// Keep only this town (repeatable).
    #[arg(long = "town")]
    pub towns: Vec<String>,
    /// Keep events at or after this RFC 3339 time.
    #[arg(long)]
    pub from: Option<String>,
    /// Keep events before this RFC 3339 time.
    #[arg(long)]
    pub to: Option<String>,
    /// Write the answer here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs one analysis and prints or writes its JSON.
#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub async fn run(cmd: AnalyzeCommand) -> anyhow::Result<ExitCode> {
    use AnalyzeCommand as A;
    let (common, method, flags) = match cmd {
        A::Kde {
            common,
            kernel,
            bandwidth_m,
            cell_m,
            top_n,
            quantile,
            format,
        } => {
            let flags = vec![
                ("kernel", kernel.map(Value::from)),
                ("bandwidth_m", bandwidth_m.map(Value::from)),
                ("cell_m", cell_m.map(Value::from)),
                ("top_n", top_n.map(Value::from)),
                ("quantile", quantile.map(Value::from)),
            ];
            match format.as_str() {
                "json" => (common, "kde", flags),
                "png" => (common, "kde.png", flags),
                other => bail!("--format must be json or png, not {other:?}"),
            }
        }
        A::Gistar {
            common,
            grid,
            cell_m,
            h3_resolution,
            permutations,
            seed,
        } => (
            common,
            "gistar",
            vec![
                ("grid", grid.map(Value::from)),
                ("cell_m", cell_m.map(Value::from)),
                ("h3_resolution", h3_resolution.map(Value::from)),
                ("permutations", permutations.map(Value::from)),
                ("seed", seed.map(Value::from)),
            ],
        ),
        A::Knox {
            common,
            spatial_bandwidth_m,
            spatial_bands,
            temporal_bandwidth_days,
            temporal_bands,
            metric,
            permutations,
            seed,
        } => (
            common,
            "knox",
            vec![
                ("spatial_bandwidth_m", spatial_bandwidth_m.map(Value::from)),
                ("spatial_bands", spatial_bands.map(Value::from)),
                (
                    "temporal_bandwidth_days",
                    temporal_bandwidth_days.map(Value::from),
                ),
                ("temporal_bands", temporal_bands.map(Value::from)),
                ("metric", metric.map(Value::from)),
                ("permutations", permutations.map(Value::from)),
                ("seed", seed.map(Value::from)),
            ],
        ),
        A::Profile {
            common,
            utc_offset_s,
        } => (
            common,
            "profile",
            vec![("utc_offset_s", utc_offset_s.map(Value::from))],
        ),
        A::Trend {
            common,
            utc_offset_s,
            trailing_weeks,
            threshold,
        } => (
            common,
            "trend",
            vec![
                ("utc_offset_s", utc_offset_s.map(Value::from)),
                ("trailing_weeks", trailing_weeks.map(Value::from)),
                ("threshold", threshold.map(Value::from)),
            ],
        ),
        A::Pai {
            common,
            split_at,
            until,
            bandwidth_m,
            cell_m,
            area_share,
        } => (
            common,
            "pai",
            vec![
                ("split_at", Some(Value::from(split_at))),
                ("until", until.map(Value::from)),
                ("bandwidth_m", bandwidth_m.map(Value::from)),
                ("cell_m", cell_m.map(Value::from)),
                ("area_share", area_share.map(Value::from)),
            ],
        ),
        A::Linkage {
            common,
            case_id,
            top_k,
            series_threshold,
        } => (
            common,
            "linkage",
            vec![
                ("case_id", case_id.map(Value::from)),
                ("top_k", top_k.map(Value::from)),
                ("series_threshold", series_threshold.map(Value::from)),
            ],
        ),
    };
    let params = merge_params(common.params.as_deref(), flags)?;
    let events = read_events(&common.events)?;
    let filter = EventFilter {
        types: common.types.clone(),
        towns: common.towns.clone(),
        from: common.from.clone(),
        to: common.to.clone(),
    };
    let input = Input::new(events, &filter, Crs::LonLat).map_err(explain)?;
    if method == "kde.png" {
        let Some(out) = &common.out else {
            bail!("--format png writes binary data: give --out FILE.png");
        };
        let q: KdeQuery = typed(&params)?;
        let (proj, surface) = compute::kde_surface(&input, &q).map_err(explain)?;
        let (bytes, legend) = png::render(&surface, &proj);
        std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
        write_or_print(
            None,
            &json!({ "png": out, "legend": serde_json::from_str::<Value>(&legend).unwrap_or(Value::Null) }),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let result = analyse(method, &input, &params, &filter)?;
    let answer = json!({
        "method": method, "data_version": input.version,
        "events_given": input.given, "events_used": input.records.len(),
        "filter": filter, "params": params, "result": result,
    });
    write_or_print(common.out.as_deref(), &answer)?;
    Ok(ExitCode::SUCCESS)
}

fn analyse(
    method: &str,
    input: &Input,
    params: &Value,
    filter: &EventFilter,
) -> anyhow::Result<Value> {
    let r = match method {
        "kde" => compute::kde(input, &typed::<KdeQuery>(params)?),
        "gistar" => compute::gistar(input, &typed::<GiStarQuery>(params)?),
        "knox" => compute::knox(input, &typed::<KnoxQuery>(params)?),
        "profile" => compute::profile(input, &typed::<ProfileQuery>(params)?),
        "trend" => {
            let w = filter.window().map_err(explain)?;
            compute::trend(
                input,
                &typed::<TrendQuery>(params)?,
                (w.from_micros, w.to_micros),
            )
        }
        "pai" => compute::pai(input, &typed::<PaiQuery>(params)?),
        "linkage" => compute::linkage(input, &typed::<LinkageQuery>(params)?),
        other => bail!("unknown analysis {other}"),
    };
    r.map_err(explain)
}

/// `--params` (a JSON object) with the flags that were given laid over it.
fn merge_params(raw: Option<&str>, flags: Vec<(&str, Option<Value>)>) -> anyhow::Result<Value> {
    let mut map = match raw {
        None => Map::new(),
        Some(text) => {
            match serde_json::from_str::<Value>(text).context("--params is not valid JSON")? {
                Value::Object(m) => m,
                _ => bail!("--params must be a JSON object"),
            }
        }
    };
    for (name, value) in flags {
        if let Some(v) = value {
            map.insert(name.to_owned(), v);
        }
    }
    Ok(Value::Object(map))
}

fn typed<T: DeserializeOwned>(params: &Value) -> anyhow::Result<T> {
    serde_json::from_value(params.clone()).context("invalid parameters")
}

/// Every field error of an analysis error, one per line.
fn explain(e: AnalyticsError) -> anyhow::Error {
    match e {
        AnalyticsError::Invalid(errors) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("invalid input:\n  {}", lines.join("\n  "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

#[expect(
    clippy::print_stdout,
    reason = "the command's result goes to stdout by design"
)]
fn write_or_print(out: Option<&Path>, answer: &Value) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(answer).context("encoding the answer")?;
    match out {
        Some(path) => {
            std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
        }
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

/// Reads events from CSV or GeoJSON (by extension; otherwise by the first character).
pub fn read_events(path: &Path) -> anyhow::Result<Vec<EventDto>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let geojson = match ext.as_str() {
        "csv" => false,
        "geojson" | "json" => true,
        _ => text.trim_start().starts_with('{'),
    };
    if geojson {
        events_from_geojson(&text).with_context(|| format!("reading GeoJSON {}", path.display()))
    } else {
        events_from_csv(&text).with_context(|| format!("reading CSV {}", path.display()))
    }
}

/// CSV with a header row; `id, lon, lat, time` are required, `type, town, text` optional.
pub fn events_from_csv(text: &str) -> anyhow::Result<Vec<EventDto>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().context("no header row")?.clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(id), Some(lon), Some(lat), Some(time)) =
        (col("id"), col("lon"), col("lat"), col("time"))
    else {
        bail!("the header must name the columns id, lon, lat and time (and optionally type, town, text)");
    };
    let (kind, town, note) = (col("type"), col("town"), col("text"));
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        // Row numbers as a spreadsheet shows them: the header is row 1.
        let line = i + 2;
        let row = row.with_context(|| format!("row {line}"))?;
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").to_owned();
        let num = |c: usize, name: &str| -> anyhow::Result<f64> {
            row.get(c)
                .unwrap_or("")
                .parse::<f64>()
                .with_context(|| format!("row {line}: {name} is not a number"))
        };
        out.push(EventDto {
            id: EventKey::Text(get(Some(id))),
            lon: Some(num(lon, "lon")?),
            lat: Some(num(lat, "lat")?),
            x: None,
            y: None,
            time: get(Some(time)),
            kind: get(kind),
            town: get(town),
            text: get(note),
        });
    }
    Ok(out)
}

/// A FeatureCollection of Point features.
pub fn events_from_geojson(text: &str) -> anyhow::Result<Vec<EventDto>> {
    let doc: Value = serde_json::from_str(text).context("not valid JSON")?;
    let Some(features) = doc.get("features").and_then(Value::as_array) else {
        bail!("expected a FeatureCollection with a features array");
    };
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let coords = f
            .pointer("/geometry/coordinates")
            .and_then(Value::as_array)
            .filter(|_| f.pointer("/geometry/type").and_then(Value::as_str) == Some("Point"));
        let Some([lon, lat, ..]) = coords.map(Vec::as_slice) else {
            bail!("features[{i}]: the geometry must be a Point");
        };
        let (Some(lon), Some(lat)) = (lon.as_f64(), lat.as_f64()) else {
            bail!("features[{i}]: the coordinates must be numbers");
        };
        let prop = |name: &str| {
            f.pointer(&format!("/properties/{name}"))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let text_of = |v: Value| match v {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let id = match prop("id") {
            Value::Null => f.get("id").cloned().unwrap_or_else(|| Value::from(i + 1)),
            v => v,
        };
        out.push(EventDto {
            id: EventKey::Text(text_of(id)),
            lon: Some(lon),
            lat: Some(lat),
            x: None,
            y: None,
            time: text_of(prop("time")),
            kind: text_of(prop("type")),
            town: text_of(prop("town")),
            text: text_of(prop("text")),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_become_events() {
        let csv = "id,lon,lat,time,type,town,text\n\
                   a1, 118.90, 35.00, 2026-03-01T21:15:00+08:00, theft, 东城, 撬锁\n\
                   a2,118.91,35.01,2026-03-02T08:00:00+08:00,,,\n";
        let ev = events_from_csv(csv).unwrap();
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].id, EventKey::Text("a1".into()));
        assert_eq!(
            (ev[0].kind.as_str(), ev[0].town.as_str()),
            ("theft", "东城")
        );
        assert!(ev[1].kind.is_empty());
        let bad = events_from_csv("id,lon,lat,time\nx,east,35,2026-03-01T00:00:00Z\n").unwrap_err();
        assert!(format!("{bad:#}").contains("row 2: lon"), "{bad:#}");
        assert!(events_from_csv("id,x,y\n1,2,3\n").is_err());
    }

    #[test]
    fn geojson_points_become_events() {
        let doc = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[118.9,35.0]},
             "properties":{"time":"2026-03-01T21:15:00+08:00","type":"theft"}}]}"#;
        let ev = events_from_geojson(doc).unwrap();
        assert_eq!(ev[0].id, EventKey::Text("7".into()));
        assert_eq!((ev[0].lon, ev[0].lat), (Some(118.9), Some(35.0)));
        let line = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]},"properties":{}}]}"#;
        assert!(events_from_geojson(line).is_err());
    }

    #[test]
    fn an_analysis_runs_end_to_end_on_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        let mut csv = String::from("id,lon,lat,time,type,town,text\n");
        for i in 0..40 {
            let lon = 118.9 + 0.0005 * f64::from(i % 7);
            csv += &format!(
                "e{i},{lon},35.0,2026-03-{:02}T10:00:00+08:00,theft,东城,\n",
                1 + i % 28
            );
        }
        std::fs::write(&path, csv).unwrap();
        let input = Input::new(
            read_events(&path).unwrap(),
            &EventFilter::default(),
            Crs::LonLat,
        )
        .unwrap();
        let params = merge_params(
            Some(r#"{"permutations": 9}"#),
            vec![("seed", Some(Value::from(3)))],
        )
        .unwrap();
        let r = analyse("knox", &input, &params, &EventFilter::default()).unwrap();
        assert_eq!(r["n_events"], 40);
        assert_eq!(r["params"]["seed"], 3);
        let err = analyse(
            "kde",
            &input,
            &json!({"bandwidth_m": 0}),
            &EventFilter::default(),
        )
        .unwrap_err();
        assert!(format!("{err}").contains("params.bandwidth_m"), "{err}");
    }
}
