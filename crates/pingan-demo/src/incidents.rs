//! A year of incidents with the structure real data has.
//!
//! - **Types** follow the report: theft in its sub-types is the bulk ("两抢一盗"), then disputes,
//!   traffic accidents, requests for help and the rest ([`INCIDENT_TYPES`]).
//! - **Where**: by population, with hotspots around markets (stronger on their market days), the
//!   bus station, the Zhuanggang store and schools, rural-only types in villages, and traffic
//!   accidents on the roads.
//! - **When**: an hourly profile per type (burglary at night, disputes in the evening, accidents
//!   at rush hours), a weekly cycle (more disputes and fights at weekends) and a summer peak.
//! - **Near repeats**: a burglary, bicycle theft or theft from a vehicle is followed with some
//!   probability by another one within 200 m and 10 days (recorded in `near_repeat_of`).
//! - **Series**: three serial series with a shared modus operandi (`series`).
//! - **Response**: dispatch, arrival and closing times that depend on priority, town and hour.

use rand::Rng;

use crate::model::{GridId, Incident, IncidentId};
use crate::places::KeyPlaceGen;
use crate::rng::{exponential, normal, poisson, stream, Cumulative, DemoRng};
use crate::time::{is_weekend, local_date, local_hour, DAY, HOUR, MINUTE};
use crate::world::{offset, to_lonlat, Ground, NI, NJ};

/// Incident types: `(code, Chinese name, English name)`.
pub const INCIDENT_TYPES: [(&str, &str, &str); 18] = [
    (
        "theft.bicycle",
        "盗窃自行车/电动车",
        "bicycle or e-bike theft",
    ),
    ("theft.burglary", "入室盗窃", "burglary"),
    (
        "theft.vehicle_contents",
        "盗窃车内财物",
        "theft from a vehicle",
    ),
    ("theft.pickpocket", "扒窃", "pickpocketing"),
    ("theft.farm", "盗窃农用物资", "theft of farm goods"),
    (
        "theft.public_property",
        "盗窃公共财物",
        "theft of public property",
    ),
    ("theft.vehicle", "盗窃机动车", "vehicle theft"),
    ("theft.other", "其他盗窃", "other theft"),
    ("robbery", "抢劫", "robbery"),
    ("snatching", "抢夺", "snatching"),
    ("fraud", "诈骗", "fraud"),
    ("dispute", "矛盾纠纷", "dispute"),
    ("fight", "打架斗殴", "fight"),
    ("traffic", "交通事故", "traffic accident"),
    ("assistance", "群众求助", "request for help"),
    ("suspicious", "可疑人员车辆", "suspicious person or vehicle"),
    ("fire", "火情", "fire"),
    ("noise", "噪音扰民", "noise"),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Where {
    Population,
    Hotspot,
    Rural,
    Road,
}

#[derive(Debug, Clone, Copy)]
enum When {
    Day,
    Night,
    Evening,
    Rush,
    Flat,
}

/// Per type: incidents per day at full scale, priority weights (P1..P4), where, when, weekend
/// factor, near-repeat probability.
const PROFILE: [(f64, [f64; 4], Where, When, f64, f64); 18] = [
    (
        4.2,
        [0.0, 0.0, 0.3, 0.7],
        Where::Hotspot,
        When::Day,
        1.1,
        0.25,
    ),
    (
        3.0,
        [0.0, 0.5, 0.5, 0.0],
        Where::Population,
        When::Night,
        0.9,
        0.3,
    ),
    (
        1.8,
        [0.0, 0.1, 0.6, 0.3],
        Where::Hotspot,
        When::Evening,
        1.1,
        0.25,
    ),
    (
        1.6,
        [0.0, 0.2, 0.6, 0.2],
        Where::Hotspot,
        When::Day,
        1.3,
        0.0,
    ),
    (
        1.5,
        [0.0, 0.0, 0.5, 0.5],
        Where::Rural,
        When::Night,
        1.0,
        0.15,
    ),
    (
        0.6,
        [0.0, 0.1, 0.5, 0.4],
        Where::Rural,
        When::Night,
        1.0,
        0.0,
    ),
    (
        0.5,
        [0.0, 0.6, 0.4, 0.0],
        Where::Population,
        When::Night,
        1.0,
        0.0,
    ),
    (
        1.8,
        [0.0, 0.0, 0.5, 0.5],
        Where::Population,
        When::Day,
        1.0,
        0.0,
    ),
    (
        0.15,
        [0.8, 0.2, 0.0, 0.0],
        Where::Hotspot,
        When::Evening,
        1.2,
        0.0,
    ),
    (
        0.5,
        [0.5, 0.5, 0.0, 0.0],
        Where::Hotspot,
        When::Day,
        1.2,
        0.0,
    ),
    (
        1.6,
        [0.0, 0.1, 0.5, 0.4],
        Where::Population,
        When::Day,
        0.8,
        0.0,
    ),
    (
        3.8,
        [0.0, 0.4, 0.5, 0.1],
        Where::Population,
        When::Evening,
        1.3,
        0.0,
    ),
    (
        1.2,
        [0.5, 0.5, 0.0, 0.0],
        Where::Hotspot,
        When::Evening,
        1.5,
        0.0,
    ),
    (2.5, [0.3, 0.6, 0.1, 0.0], Where::Road, When::Rush, 1.0, 0.0),
    (
        2.2,
        [0.0, 0.1, 0.5, 0.4],
        Where::Population,
        When::Day,
        1.1,
        0.0,
    ),
    (
        1.0,
        [0.0, 0.2, 0.8, 0.0],
        Where::Hotspot,
        When::Night,
        1.0,
        0.0,
    ),
    (
        0.25,
        [1.0, 0.0, 0.0, 0.0],
        Where::Population,
        When::Flat,
        1.0,
        0.0,
    ),
    (
        0.8,
        [0.0, 0.0, 0.2, 0.8],
        Where::Population,
        When::Evening,
        1.4,
        0.0,
    ),
];

fn hour_weights(w: When) -> [f64; 24] {
    match w {
        When::Day => [
            0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.5, 2.0, 2.2, 2.2, 2.0, 1.6, 1.6, 1.8, 2.0, 2.2,
            2.2, 2.0, 1.6, 1.2, 0.8, 0.5, 0.3,
        ],
        When::Night => [
            2.4, 2.8, 3.0, 2.6, 1.8, 1.0, 0.5, 0.3, 0.3, 0.4, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
            0.6, 0.7, 0.8, 1.0, 1.3, 1.6, 2.0,
        ],
        When::Evening => [
            1.0, 0.6, 0.3, 0.2, 0.1, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.2, 1.0, 1.0, 1.1, 1.3,
            1.6, 2.2, 2.6, 2.8, 2.6, 2.0, 1.5,
        ],
        When::Rush => [
            0.3, 0.2, 0.1, 0.1, 0.2, 0.5, 1.5, 2.8, 2.4, 1.2, 1.0, 1.2, 1.4, 1.0, 1.0, 1.3, 1.8,
            2.8, 2.6, 1.6, 1.0, 0.8, 0.6, 0.4,
        ],
        When::Flat => [1.0; 24],
    }
}

/// Market days by the last digit of the day of the month (逢三逢八 and so on); the subdistrict's
/// farmers' market and shopping street are open every day.
pub(crate) fn is_market_day(place_id: &str, day_of_month: u32) -> bool {
    let digit = day_of_month % 5;
    match place_id {
        "kp-zg-market" => digit == 3,
        "kp-tl-market" => digit == 1,
        "kp-ps-market" => digit == 2,
        "kp-zl-market" => digit == 4,
        "kp-ps-temple" => digit == 0,
        _ => true,
    }
}

/// A finished incident before its id is assigned.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub incident: Incident,
    pub parent: Option<usize>,
    pub xy: [f64; 2],
}

/// Everything the incident generator needs about the world.
pub(crate) struct Ctx<'a> {
    pub ground: &'a Ground,
    pub kps: &'a [KeyPlaceGen],
    /// Road edges as point pairs, with weights (for accidents).
    pub road_segments: &'a [([f64; 2], [f64; 2])],
    pub road_weights: &'a Cumulative,
    /// Call signs of the units of every town (indexed like `TOWNS`).
    pub call_signs: &'a [Vec<String>; 5],
}

/// Generates `days` days of incidents ending at `end` (exclusive), scaled by `scale`.
#[expect(
    clippy::too_many_lines,
    reason = "the generator's steps in their order; each is short and the order is what it means"
)]
pub(crate) fn year(seed: u64, ctx: &Ctx<'_>, end: i64, days: i64, scale: f64) -> Vec<Draft> {
    let mut rng = stream(seed, "incidents");
    let pop: Vec<f64> = ctx
        .ground
        .grids
        .iter()
        .map(|g| f64::from(g.grid.population))
        .collect();
    let rural: Vec<f64> = ctx
        .ground
        .grids
        .iter()
        .map(|g| {
            if g.town == 0 {
                0.0
            } else {
                f64::from(g.grid.population)
            }
        })
        .collect();
    let (pop, rural) = (Cumulative::new(&pop), Cumulative::new(&rural));
    let cells: Vec<Vec<(usize, usize)>> = (0..ctx.ground.grids.len())
        .map(|g| ctx.ground.cells_of(g))
        .collect();
    let hours: Vec<Cumulative> = PROFILE
        .iter()
        .map(|p| Cumulative::new(&hour_weights(p.3)))
        .collect();
    let mut out: Vec<Draft> = Vec::new();
    let start = end - days * DAY;
    for d in 0..days {
        let day = start + d * DAY;
        let (_, month, dom) = local_date(day);
        let season = if (6..=8).contains(&month) {
            1.15
        } else if month <= 2 || month == 12 {
            0.85
        } else {
            1.0
        };
        // Hotspot weights of the day: markets count triple on their market days.
        let hot: Vec<f64> = ctx
            .kps
            .iter()
            .map(|k| match k.place.category.as_str() {
                "market" => {
                    if is_market_day(&k.place.id.0, dom) {
                        6.0
                    } else {
                        1.5
                    }
                }
                "bus_station" => 5.0,
                "supply_store" => 3.0,
                "school" | "square" | "hospital" => 1.2,
                _ => 0.2,
            })
            .collect();
        let hot = Cumulative::new(&hot);
        for (t, prof) in PROFILE.iter().enumerate() {
            let weekend = if is_weekend(day + 12 * HOUR) {
                prof.4
            } else {
                1.0
            };
            let n = poisson(&mut rng, prof.0 * scale * season * weekend);
            for _ in 0..n {
                let at = day + hours[t].draw(&mut rng) as i64 * HOUR + rng.gen_range(0..HOUR);
                let xy = match prof.2 {
                    Where::Hotspot if rng.gen_bool(0.55) => {
                        let k = &ctx.kps[hot.draw(&mut rng)];
                        near(ctx, &mut rng, k.xy, 90.0)
                    }
                    Where::Rural => {
                        let g = rural.draw(&mut rng);
                        in_grid(ctx, &mut rng, &cells, g)
                    }
                    Where::Road => {
                        let (a, b) = ctx.road_segments[ctx.road_weights.draw(&mut rng)];
                        let s: f64 = rng.gen_range(0.05..0.95);
                        let on = [a[0] + s * (b[0] - a[0]), a[1] + s * (b[1] - a[1])];
                        // At the roadside: roads run along grid borders, and a point on the
                        // border would belong to either grid.
                        let side = if rng.gen_bool(0.5) { 90.0 } else { -90.0 };
                        offset(
                            on,
                            crate::world::bearing(a, b) + side,
                            rng.gen_range(4.0..12.0),
                        )
                    }
                    _ => {
                        let g = pop.draw(&mut rng);
                        in_grid(ctx, &mut rng, &cells, g)
                    }
                };
                if let Some(draft) = make(ctx, &mut rng, t, at, xy, None) {
                    out.push(draft);
                }
            }
        }
    }
    near_repeats(ctx, &mut rng, &mut out, end);
    series(ctx, &mut rng, &mut out, start, end);
    out
}

/// Calls per hour at full scale for a local hour, summed over types.
pub(crate) fn live_rate(hour: usize) -> f64 {
    PROFILE
        .iter()
        .map(|p| {
            let w = hour_weights(p.3);
            p.0 * w[hour % 24] / w.iter().sum::<f64>()
        })
        .sum()
}

/// A type index drawn with the mix of a local hour.
pub(crate) fn live_type(rng: &mut DemoRng, hour: usize) -> usize {
    let weights: Vec<f64> = PROFILE
        .iter()
        .map(|p| {
            let w = hour_weights(p.3);
            p.0 * w[hour % 24] / w.iter().sum::<f64>()
        })
        .collect();
    crate::rng::weighted(rng, &weights)
}

fn near(ctx: &Ctx<'_>, rng: &mut DemoRng, c: [f64; 2], sd: f64) -> [f64; 2] {
    for _ in 0..20 {
        let p = [c[0] + sd * normal(rng), c[1] + sd * normal(rng)];
        if ctx.ground.grid_at(p).is_some() {
            return p;
        }
    }
    c
}

fn in_grid(ctx: &Ctx<'_>, rng: &mut DemoRng, cells: &[Vec<(usize, usize)>], g: usize) -> [f64; 2] {
    let cs = &cells[g];
    let (i, j) = cs[rng
        .gen_range(0..cs.len().max(1))
        .min(cs.len().saturating_sub(1))];
    ctx.ground.point_in_cell(rng, i.min(NI - 1), j.min(NJ - 1))
}

/// Builds one incident of type `t` at `at` and `xy`; `None` if the point fell outside.
pub(crate) fn make(
    ctx: &Ctx<'_>,
    rng: &mut DemoRng,
    t: usize,
    at: i64,
    xy: [f64; 2],
    description: Option<String>,
) -> Option<Draft> {
    let g = ctx.ground.grid_at(xy)?;
    let grid = &ctx.ground.grids[g];
    let town = grid.town;
    let (code, _, _) = INCIDENT_TYPES[t];
    let prio = 1 + crate::rng::weighted(rng, &PROFILE[t].1) as u8;
    let hour = local_hour(at);
    let town_factor = [0.75, 1.1, 1.25, 1.2, 1.15][town];
    let hour_factor = if hour < 6 {
        1.25
    } else if (7..=9).contains(&hour) || (17..=19).contains(&hour) {
        1.15
    } else {
        1.0
    };
    let travel_min = [8.0, 14.0, 22.0, 35.0][usize::from(prio - 1)]
        * town_factor
        * hour_factor
        * (0.35 * normal(rng)).exp();
    let dispatched_at = at + (60.0 + exponential(rng, 90.0)) as i64 * 1_000_000;
    let arrived_at = dispatched_at + (travel_min * 60.0) as i64 * 1_000_000;
    let closed_at = arrived_at + rng.gen_range(10..90) * MINUTE;
    let signs = &ctx.call_signs[town];
    let unit = signs
        .get(rng.gen_range(0..signs.len().max(1)))
        .cloned()
        .unwrap_or_default();
    let place = nearest_place_name(ctx, xy, &grid.grid.place);
    let description = description.unwrap_or_else(|| describe(rng, code, &place));
    let solved = code.starts_with("theft") && rng.gen_bool(0.12);
    Some(Draft {
        incident: Incident {
            id: IncidentId(String::new()),
            type_code: code.to_owned(),
            priority: prio,
            position: to_lonlat(xy),
            town: grid.grid.town.clone(),
            grid: GridId(grid.grid.id.0.clone()),
            reported_at: at,
            dispatched_at,
            arrived_at,
            closed_at,
            unit,
            description,
            series: None,
            near_repeat_of: None,
            outcome: if solved { "solved" } else { "closed" }.to_owned(),
        },
        parent: None,
        xy,
    })
}

fn nearest_place_name(ctx: &Ctx<'_>, xy: [f64; 2], fallback: &str) -> String {
    ctx.kps
        .iter()
        .map(|k| (crate::world::dist(k.xy, xy), k))
        .filter(|(d, _)| *d < 250.0)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.place.name.clone())
        .unwrap_or_else(|| fallback.to_owned())
}

fn pick<'a>(rng: &mut DemoRng, options: &[&'a str]) -> &'a str {
    options[rng.gen_range(0..options.len())]
}

/// A short report text in Chinese, as a call taker would write it.
fn describe(rng: &mut DemoRng, code: &str, place: &str) -> String {
    let colour = pick(rng, &["黑色", "白色", "红色", "蓝色", "银色", "绿色"]);
    let amount = rng.gen_range(2..60) * 100;
    match code {
        "theft.bicycle" => format!(
            "{place}附近一辆{colour}{}被盗,报警人称停放时已上锁。",
            pick(rng, &["自行车", "电动自行车", "电动三轮车"])
        ),
        "theft.burglary" => format!(
            "{place}一居民家中被盗,{},丢失现金约{amount}元。",
            pick(rng, &["门锁被撬", "窗户被撬", "院墙有攀爬痕迹"])
        ),
        "theft.vehicle_contents" => format!(
            "{place}路边一辆轿车{},车内{}被盗。",
            pick(rng, &["车窗被砸", "车门未锁"]),
            pick(rng, &["手提包", "现金", "香烟", "笔记本电脑"])
        ),
        "theft.pickpocket" => format!("{place}人员密集处,报警人手机被扒窃。"),
        "theft.farm" => format!(
            "{place}村民报称{}被盗。",
            pick(rng, &["化肥十余袋", "水泵一台", "电缆约百米", "玉米数百斤"])
        ),
        "theft.public_property" => format!(
            "{place}附近{}被盗。",
            pick(rng, &["井盖两个", "路灯电缆", "护栏一段", "垃圾箱一个"])
        ),
        "theft.vehicle" => format!("{place}一辆{colour}轿车被盗。"),
        "theft.other" => format!(
            "{place}报警人称{}被盗,价值约{amount}元。",
            pick(rng, &["手机", "钱包", "建筑材料", "快递包裹"])
        ),
        "robbery" => format!("{place}附近一名群众被持刀抢劫,嫌疑人逃离。"),
        "snatching" => format!("{place}附近一名女子挎包被骑摩托车男子抢夺。"),
        "fraud" => format!(
            "{place}居民报称遭{},损失{amount}元。",
            pick(rng, &["电信诈骗", "冒充熟人借钱", "网购退款诈骗"])
        ),
        "dispute" => format!(
            "{place}{}发生纠纷,请求民警调解。",
            pick(rng, &["邻里之间", "家庭成员之间", "买卖双方", "土地承包"])
        ),
        "fight" => format!("{place}多人发生打架斗殴。"),
        "traffic" => format!(
            "{place}路段{},{}。",
            pick(rng, &["两车相撞", "轿车与电动车相撞", "货车侧翻"]),
            pick(rng, &["无人员伤亡", "一人受轻伤"])
        ),
        "assistance" => format!(
            "{place}群众求助:{}。",
            pick(
                rng,
                &["老人走失", "钥匙锁在车内", "儿童走失", "醉酒人员倒地"]
            )
        ),
        "suspicious" => format!(
            "{place}附近发现可疑{}在徘徊。",
            pick(rng, &["人员", "车辆"])
        ),
        "fire" => format!("{place}附近{}起火。", pick(rng, &["秸秆", "民房", "车辆"])),
        _ => format!("{place}有人噪音扰民。"),
    }
}

fn near_repeats(ctx: &Ctx<'_>, rng: &mut DemoRng, out: &mut Vec<Draft>, end: i64) {
    let mut k = 0;
    while k < out.len() {
        let t = INCIDENT_TYPES
            .iter()
            .position(|x| x.0 == out[k].incident.type_code)
            .unwrap_or(0);
        let p = if out[k].parent.is_some() {
            PROFILE[t].5 * 0.5
        } else {
            PROFILE[t].5
        };
        if p > 0.0 && rng.gen_bool(p) {
            let at = out[k].incident.reported_at + rng.gen_range(HOUR..10 * DAY);
            let xy = offset(
                out[k].xy,
                rng.gen_range(0.0..360.0),
                rng.gen_range(20.0..200.0),
            );
            if at < end {
                if let Some(mut d) = make(ctx, rng, t, at, xy, None) {
                    d.parent = Some(k);
                    out.push(d);
                }
            }
        }
        k += 1;
    }
}

/// `(series id, type code, centre vertex, count, (first hour, last hour), modus operandi)`.
type SeriesSpec = (
    &'static str,
    &'static str,
    (usize, usize),
    usize,
    (u32, u32),
    &'static str,
);

/// Three serial series with a shared modus operandi, linked by `series`.
fn series(ctx: &Ctx<'_>, rng: &mut DemoRng, out: &mut Vec<Draft>, start: i64, end: i64) {
    let specs: [SeriesSpec; 3] = [
        (
            "series-ps-burglary",
            "theft.burglary",
            (9, 31),
            8,
            (1, 4),
            "夜间翻墙入院,撬开堂屋门锁,专偷现金和金饰",
        ),
        (
            "series-lg-carwindow",
            "theft.vehicle_contents",
            (19, 19),
            10,
            (19, 22),
            "砸碎副驾驶车窗,盗取车内手提包",
        ),
        (
            "series-zl-cable",
            "theft.farm",
            (31, 3),
            6,
            (0, 3),
            "剪断农田灌溉电缆,每次约百米",
        ),
    ];
    for (id, code, (i, j), count, (h0, h1), mo) in specs {
        let t = INCIDENT_TYPES.iter().position(|x| x.0 == code).unwrap_or(0);
        let centre = ctx.ground.at(i, j);
        let first = start + rng.gen_range(60..(end - start) / DAY - 70) * DAY;
        let mut day = first;
        for _ in 0..count {
            day += rng.gen_range(2..9) * DAY;
            let at = day + i64::from(rng.gen_range(h0..h1)) * HOUR + rng.gen_range(0..HOUR);
            let xy = offset(
                centre,
                rng.gen_range(0.0..360.0),
                rng.gen_range(50.0..1_200.0),
            );
            let place = ctx
                .ground
                .grid_at(xy)
                .map(|g| ctx.ground.grids[g].grid.place.clone())
                .unwrap_or_default();
            let text = format!("{place}:{mo}。");
            if let Some(mut d) = make(ctx, rng, t, at.min(end - HOUR), xy, Some(text)) {
                d.incident.series = Some(id.to_owned());
                out.push(d);
            }
        }
    }
}
