//! Calibration of the linkage model on generated data with planted series.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{for_close_pairs, logit, transformed, LinkParams, LinkageModel, Prepared, Segmenter};
use crate::error::{invalid, Result};
use crate::event::{Event, MICROS_PER_DAY};

const KINDS: &[&str] = &[
    "盗窃自行车",
    "盗窃电动车",
    "入室盗窃",
    "扒窃",
    "诈骗",
    "抢夺",
];
const PLACES: &[&str] = &[
    "地下车库",
    "小区楼道",
    "菜市场",
    "公交车上",
    "地铁站",
    "学校门口",
    "超市门口",
    "网吧",
    "停车场",
    "写字楼",
];
const METHODS: &[&str] = &[
    "剪断车锁",
    "技术开锁",
    "撬门入室",
    "翻窗入室",
    "尾随入室",
    "趁人不备",
    "冒充快递员",
    "拉开背包",
    "破坏门禁",
    "攀爬阳台",
];
const WHEN: &[&str] = &["夜间", "凌晨", "午后", "傍晚", "上午"];
const ITEMS: &[&str] = &[
    "电动车",
    "自行车",
    "手机",
    "钱包",
    "现金",
    "首饰",
    "笔记本电脑",
    "电瓶",
];

/// Generated cases and the planted series each belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlantedData {
    /// The cases (metres, in a 20 km square; one year from t = 0).
    pub events: Vec<Event>,
    /// The planted series of each case, `None` for background cases.
    pub series_of: Vec<Option<u32>>,
}

fn pick<'a>(rng: &mut ChaCha8Rng, v: &[&'a str]) -> &'a str {
    v[rng.gen_range(0..v.len())]
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen_range(0.0..1.0));
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Generates `background` unrelated cases plus `series` planted series of `min_len..=max_len`
/// cases each. A series keeps one offence type, stays within ~600 m of a base, strikes every ~7
/// days, and repeats its signature (place, method, time of day, item) with 80 % probability per
/// element. Background cases draw everything at random.
pub fn generate_planted(
    seed: u64,
    background: usize,
    series: usize,
    min_len: usize,
    max_len: usize,
) -> PlantedData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let side = 20_000.0;
    let year = 365 * MICROS_PER_DAY;
    let mut events = Vec::new();
    let mut series_of = Vec::new();
    let text = |rng: &mut ChaCha8Rng, sig: Option<[&str; 4]>| {
        let mut part = |k: usize, pool: &[&'static str]| match sig {
            Some(s) if rng.gen_bool(0.8) => s[k].to_string(),
            _ => pick(rng, pool).to_string(),
        };
        let (w, p, m, i) = (
            part(0, WHEN),
            part(1, PLACES),
            part(2, METHODS),
            part(3, ITEMS),
        );
        format!("嫌疑人{w}在{p}{m}，盗走{i}")
    };
    for _ in 0..background {
        let id = events.len() as u64;
        let mut e = Event::at(
            id,
            rng.gen_range(0.0..side),
            rng.gen_range(0.0..side),
            rng.gen_range(0..year),
        );
        e.kind = pick(&mut rng, KINDS).to_string();
        e.text = text(&mut rng, None);
        events.push(e);
        series_of.push(None);
    }
    for s in 0..series {
        let (bx, by) = (
            rng.gen_range(1000.0..side - 1000.0),
            rng.gen_range(1000.0..side - 1000.0),
        );
        let kind = pick(&mut rng, KINDS);
        let sig = [
            pick(&mut rng, WHEN),
            pick(&mut rng, PLACES),
            pick(&mut rng, METHODS),
            pick(&mut rng, ITEMS),
        ];
        let mut t = rng.gen_range(0..year - 60 * MICROS_PER_DAY);
        let len = rng.gen_range(min_len..=max_len.max(min_len));
        for _ in 0..len {
            let id = events.len() as u64;
            let mut e = Event::at(
                id,
                bx + 600.0 * normal(&mut rng),
                by + 600.0 * normal(&mut rng),
                t,
            );
            e.kind = kind.to_string();
            e.text = text(&mut rng, Some(sig));
            events.push(e);
            series_of.push(Some(s as u32));
            t += (-(rng.gen_range(f64::EPSILON..1.0f64)).ln() * 7.0 * MICROS_PER_DAY as f64) as i64;
        }
    }
    PlantedData { events, series_of }
}

/// Parameters of [`calibrate`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationParams {
    /// Seed of the training generation; the test generation uses `seed + 1`.
    pub seed: u64,
    /// Background cases per generation.
    pub background: usize,
    /// Planted series per generation.
    pub series: usize,
    /// Shortest series.
    pub min_len: usize,
    /// Longest series.
    pub max_len: usize,
    /// The false-positive rate at which the hit rate is reported (0..1, e.g. 0.001).
    pub fpr: f64,
    /// Limits (distance, gap) used when scoring pairs; the model inside is the starting point.
    pub link: LinkParams,
}

impl Default for CalibrationParams {
    fn default() -> Self {
        Self {
            seed: 1,
            background: 2000,
            series: 40,
            min_len: 3,
            max_len: 8,
            fpr: 0.001,
            link: LinkParams::default(),
        }
    }
}

/// Result of [`calibrate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    /// The fitted model.
    pub model: LinkageModel,
    /// Hit rate (share of same-series pairs found) of the fitted model on the test generation.
    pub hit_rate: f64,
    /// The same for the model passed in (the defaults, usually).
    pub prior_hit_rate: f64,
    /// The target false-positive rate.
    pub fpr: f64,
    /// Probability threshold that achieves it with the fitted model.
    pub threshold_probability: f64,
    /// Same-series pairs in the test generation.
    pub positives: u64,
    /// Other pairs in the test generation.
    pub negatives: u64,
    /// Pairs the model was fitted on.
    pub training_pairs: usize,
}

/// Feature rows with their label (same planted series or not).
type Labelled = Vec<([f64; 4], bool)>;

fn labelled(seg: &Segmenter, d: &PlantedData, link: &LinkParams) -> Result<(Prepared, Labelled)> {
    let p = Prepared::new(seg, &d.events)?;
    let rows = for_close_pairs(&p, link, |a, b| {
        let same = d.series_of[a].is_some() && d.series_of[a] == d.series_of[b];
        Some((p.features(a, b), same))
    });
    Ok((p, rows))
}

/// Fits the logistic model by Newton's method (a small ridge keeps it well-posed).
fn fit(rows: &[([f64; 4], bool)], start: LinkageModel) -> LinkageModel {
    let mut w = [
        start.intercept,
        start.distance,
        start.time_gap,
        start.same_kind,
        start.text,
    ];
    for _ in 0..25 {
        let mut g = [0.0; 5];
        let mut h = [[0.0; 5]; 5];
        for (f, y) in rows {
            let t = transformed(f);
            let x = [1.0, t[0], t[1], t[2], t[3]];
            let z: f64 = w.iter().zip(&x).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = p - f64::from(u8::from(*y));
            for i in 0..5 {
                g[i] += r * x[i];
                for j in 0..5 {
                    h[i][j] += p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 0..5 {
            g[i] += 1e-3 * w[i];
            h[i][i] += 1e-3;
        }
        let Some(step) = solve(h, g) else { break };
        for i in 0..5 {
            w[i] -= step[i];
        }
        if step.iter().map(|s| s.abs()).fold(0.0, f64::max) < 1e-8 {
            break;
        }
    }
    LinkageModel {
        intercept: w[0],
        distance: w[1],
        time_gap: w[2],
        same_kind: w[3],
        text: w[4],
    }
}

/// Gaussian elimination with partial pivoting; `None` if singular.
#[expect(
    clippy::needless_range_loop,
    reason = "index loops read best in dense linear algebra"
)]
fn solve(mut a: [[f64; 5]; 5], mut b: [f64; 5]) -> Option<[f64; 5]> {
    for c in 0..5 {
        let piv = (c..5).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[piv][c].abs() < 1e-300 {
            return None;
        }
        a.swap(c, piv);
        b.swap(c, piv);
        for r in c + 1..5 {
            let k = a[r][c] / a[c][c];
            for j in c..5 {
                a[r][j] -= k * a[c][j];
            }
            b[r] -= k * b[c];
        }
    }
    let mut x = [0.0; 5];
    for r in (0..5).rev() {
        let s: f64 = (r + 1..5).map(|j| a[r][j] * x[j]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// Hit rate at false-positive rate `fpr` and the logit threshold achieving it.
fn hit_rate(
    rows: &[([f64; 4], bool)],
    m: &LinkageModel,
    positives: u64,
    negatives: u64,
    fpr: f64,
) -> (f64, f64) {
    let mut neg: Vec<f64> = rows
        .iter()
        .filter(|r| !r.1)
        .map(|r| logit(m, &r.0))
        .collect();
    neg.sort_by(|a, b| b.total_cmp(a));
    // Unscored negatives (beyond the limits) rank below every scored pair.
    let allowed = (fpr * negatives as f64).floor() as usize;
    let threshold = neg.get(allowed).copied().unwrap_or(f64::NEG_INFINITY);
    let hits = rows
        .iter()
        .filter(|r| r.1 && logit(m, &r.0) > threshold)
        .count();
    (
        if positives > 0 {
            hits as f64 / positives as f64
        } else {
            0.0
        },
        threshold,
    )
}

/// Fits the model on one generation and reports its hit rate at `fpr` on another.
///
/// # Errors
/// An `fpr` outside (0, 1), fewer than 2 cases per series, or no series.
pub fn calibrate(seg: &Segmenter, params: &CalibrationParams) -> Result<CalibrationReport> {
    if !(params.fpr > 0.0 && params.fpr < 1.0) {
        return Err(invalid("fpr", params.fpr, "in (0, 1)"));
    }
    if params.min_len < 2 || params.max_len < params.min_len {
        return Err(invalid(
            "min_len/max_len",
            format!("{}..={}", params.min_len, params.max_len),
            "2 <= min_len <= max_len",
        ));
    }
    if params.series == 0 {
        return Err(invalid("series", 0, ">= 1"));
    }
    super::check_params(&params.link)?;
    let p = params;
    let train = generate_planted(p.seed, p.background, p.series, p.min_len, p.max_len);
    let (_, train_rows) = labelled(seg, &train, &p.link)?;
    let model = fit(&train_rows, p.link.model);
    let test = generate_planted(
        p.seed.wrapping_add(1),
        p.background,
        p.series,
        p.min_len,
        p.max_len,
    );
    let (_, test_rows) = labelled(seg, &test, &p.link)?;
    let mut sizes = std::collections::HashMap::new();
    for s in test.series_of.iter().flatten() {
        *sizes.entry(*s).or_insert(0u64) += 1;
    }
    let positives: u64 = sizes.values().map(|&k| k * (k - 1) / 2).sum();
    let n = test.events.len() as u64;
    let negatives = n * (n - 1) / 2 - positives;
    let (hit, thr) = hit_rate(&test_rows, &model, positives, negatives, p.fpr);
    let (prior, _) = hit_rate(&test_rows, &p.link.model, positives, negatives, p.fpr);
    Ok(CalibrationReport {
        model,
        hit_rate: hit,
        prior_hit_rate: prior,
        fpr: p.fpr,
        threshold_probability: 1.0 / (1.0 + (-thr).exp()),
        positives,
        negatives,
        training_pairs: train_rows.len(),
    })
}
