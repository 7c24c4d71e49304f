//! The district's ground: a jittered lattice of 600 m cells, five administrative areas that tile
//! it in a pinwheel, 396 grids made of lattice cells, and the villages and communities the grids
//! cover.
//!
//! Building everything from one lattice is what keeps the geography consistent by construction:
//! a grid's ring and its town's ring use the very same vertex coordinates, so grids tile their
//! towns and towns tile the district exactly, with no floating-point slivers; roads run along
//! lattice lines and meet only at lattice vertices. The jitter (a smooth wave field plus a little
//! noise, and a wobble of the outline) makes it look like a map rather than graph paper while
//! keeping every cell a simple quadrilateral.

use std::collections::HashSet;

use rand::Rng;

use crate::model::{Grid, GridId, Place, PlaceKind, TownId};
use crate::names;
use crate::rng::{stream, DemoRng};

/// Lattice cells east–west.
pub(crate) const NI: usize = 40;
/// Lattice cells south–north.
pub(crate) const NJ: usize = 36;
/// Cell size in metres.
pub(crate) const CELL: f64 = 600.0;
/// Centre of the district.
pub(crate) const LON0: f64 = 118.9;
/// Centre of the district.
pub(crate) const LAT0: f64 = 35.0;
const M_PER_DEG_LAT: f64 = 110_950.0;
/// 111,320 m × cos 35°.
const M_PER_DEG_LON: f64 = 91_188.0;
/// Target population of the district (the report's "200,000 residents").
const TARGET_POPULATION: f64 = 200_000.0;

/// Lattice vertex number of column `i`, row `j`.
pub(crate) fn vid(i: usize, j: usize) -> usize {
    j * (NI + 1) + i
}

/// Metres east/north of the centre to `(lon, lat)`, rounded to 1e-7° (about 1 cm) so that equal
/// inputs always give bit-identical outputs in every layer.
pub(crate) fn to_lonlat(p: [f64; 2]) -> (f64, f64) {
    let r = |v: f64| (v * 1e7).round() / 1e7;
    (
        r(LON0 + p[0] / M_PER_DEG_LON),
        r(LAT0 + p[1] / M_PER_DEG_LAT),
    )
}

/// `(lon, lat)` to metres east/north of the centre.
pub(crate) fn to_xy(p: (f64, f64)) -> [f64; 2] {
    [(p.0 - LON0) * M_PER_DEG_LON, (p.1 - LAT0) * M_PER_DEG_LAT]
}

/// Planar distance in metres.
pub(crate) fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// Bearing from `a` to `b` in degrees clockwise from north, in 0..360.
pub(crate) fn bearing(a: [f64; 2], b: [f64; 2]) -> f64 {
    (b[0] - a[0])
        .atan2(b[1] - a[1])
        .to_degrees()
        .rem_euclid(360.0)
}

/// A point `d` metres from `p` on bearing `deg`.
pub(crate) fn offset(p: [f64; 2], deg: f64, d: f64) -> [f64; 2] {
    let r = deg.to_radians();
    [p[0] + d * r.sin(), p[1] + d * r.cos()]
}

/// Static description of a town or the subdistrict.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TownSpec {
    pub id: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    pub subdistrict: bool,
    /// Lattice rectangle `[i0, j0, i1, j1]`.
    pub rect: [usize; 4],
    /// The seat's lattice vertex (a road junction).
    pub seat: (usize, usize),
    pub short: &'static str,
}

/// The five areas, subdistrict first. They tile the lattice as a pinwheel around the subdistrict.
pub(crate) const TOWNS: [TownSpec; 5] = [
    TownSpec {
        id: "s-lg",
        name: "临港街道",
        name_en: "Linggang Subdistrict",
        subdistrict: true,
        rect: [14, 12, 26, 24],
        seat: (20, 18),
        short: "lg",
    },
    TownSpec {
        id: "t-zg",
        name: "壮岗镇",
        name_en: "Zhuanggang",
        subdistrict: false,
        rect: [26, 12, 40, 36],
        seat: (30, 30),
        short: "zg",
    },
    TownSpec {
        id: "t-tl",
        name: "团林镇",
        name_en: "Tuanlin",
        subdistrict: false,
        rect: [0, 0, 14, 24],
        seat: (6, 12),
        short: "tl",
    },
    TownSpec {
        id: "t-ps",
        name: "坪上镇",
        name_en: "Pingshang",
        subdistrict: false,
        rect: [0, 24, 26, 36],
        seat: (12, 30),
        short: "ps",
    },
    TownSpec {
        id: "t-zl",
        name: "朱芦镇",
        name_en: "Zhulu",
        subdistrict: false,
        rect: [14, 0, 40, 12],
        seat: (26, 6),
        short: "zl",
    },
];

/// The district feature's id.
pub(crate) const DISTRICT_ID: &str = "d-lg";

/// Index into [`TOWNS`] of the town owning cell `(i, j)`.
pub(crate) fn town_of_cell(i: usize, j: usize) -> usize {
    if (14..26).contains(&i) && (12..24).contains(&j) {
        0
    } else if i < 26 && j >= 24 {
        3
    } else if i >= 26 && j >= 12 {
        1
    } else if i >= 14 && j < 12 {
        4
    } else {
        2
    }
}

/// The vertices of a lattice rectangle's boundary, counter-clockwise from its south-west corner,
/// without repeating the first.
pub(crate) fn rect_ring(i0: usize, j0: usize, i1: usize, j1: usize) -> Vec<usize> {
    let mut ring = Vec::new();
    for i in i0..i1 {
        ring.push(vid(i, j0));
    }
    for j in j0..j1 {
        ring.push(vid(i1, j));
    }
    for i in (i0 + 1..=i1).rev() {
        ring.push(vid(i, j1));
    }
    for j in (j0 + 1..=j1).rev() {
        ring.push(vid(i0, j));
    }
    ring
}

/// A grid while the world is built: its public record plus its ring and cells.
#[derive(Debug, Clone)]
pub(crate) struct GridGen {
    pub grid: Grid,
    pub town: usize,
    pub ring: Vec<usize>,
    pub place: usize,
}

/// The lattice, the areas, the grids and the settlements.
#[derive(Debug, Clone)]
pub(crate) struct Ground {
    /// Lattice vertex positions in metres.
    pub pts: Vec<[f64; 2]>,
    /// Grid index of every cell (`j * NI + i`).
    pub cell_grid: Vec<usize>,
    pub grids: Vec<GridGen>,
    pub places: Vec<Place>,
    /// Lattice vertex of every place.
    pub place_vertex: Vec<(usize, usize)>,
}

impl Ground {
    /// Position of lattice vertex `(i, j)` in metres.
    pub fn at(&self, i: usize, j: usize) -> [f64; 2] {
        self.pts[vid(i, j)]
    }

    /// The cell containing a point, if the point is inside the district.
    pub fn locate(&self, p: [f64; 2]) -> Option<(usize, usize)> {
        // The jitter moves a vertex by less than a cell inside, and outwards only on the
        // outline, so the cell is within one of the unjittered estimate (clamped to the lattice).
        let ci = (((p[0] + 12_000.0) / CELL).floor() as i64).clamp(0, NI as i64 - 1);
        let cj = (((p[1] + 10_800.0) / CELL).floor() as i64).clamp(0, NJ as i64 - 1);
        for dj in -1..=1 {
            for di in -1..=1 {
                let (i, j) = (ci + di, cj + dj);
                if i < 0 || j < 0 || i >= NI as i64 || j >= NJ as i64 {
                    continue;
                }
                let (i, j) = (i as usize, j as usize);
                let quad = [
                    self.at(i, j),
                    self.at(i + 1, j),
                    self.at(i + 1, j + 1),
                    self.at(i, j + 1),
                ];
                if point_in_ring(p, &quad) {
                    return Some((i, j));
                }
            }
        }
        None
    }

    /// The grid index of a point, if inside the district.
    pub fn grid_at(&self, p: [f64; 2]) -> Option<usize> {
        self.locate(p).map(|(i, j)| self.cell_grid[j * NI + i])
    }

    /// A random point well inside cell `(i, j)` (bilinear in the jittered quad).
    pub fn point_in_cell(&self, rng: &mut DemoRng, i: usize, j: usize) -> [f64; 2] {
        let u: f64 = rng.gen_range(0.08..0.92);
        let v: f64 = rng.gen_range(0.08..0.92);
        let (a, b, c, d) = (
            self.at(i, j),
            self.at(i + 1, j),
            self.at(i + 1, j + 1),
            self.at(i, j + 1),
        );
        let lerp =
            |p: [f64; 2], q: [f64; 2], t: f64| [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
        lerp(lerp(a, b, u), lerp(d, c, u), v)
    }

    /// The cells of a grid, recovered from the cell table.
    pub fn cells_of(&self, grid: usize) -> Vec<(usize, usize)> {
        (0..NJ)
            .flat_map(|j| (0..NI).map(move |i| (i, j)))
            .filter(|(i, j)| self.cell_grid[j * NI + i] == grid)
            .collect()
    }
}

/// Even–odd test of a point against a ring given without its closing vertex.
pub(crate) fn point_in_ring(p: [f64; 2], ring: &[[f64; 2]]) -> bool {
    let mut inside = false;
    let n = ring.len();
    for k in 0..n {
        let a = ring[k];
        let b = ring[(k + 1) % n];
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// The communities of the subdistrict, row-major over its 3 × 4 blocks of grids.
const COMMUNITIES: [(&str, &str); 12] = [
    ("朝阳社区", "Chaoyang Community"),
    ("新华社区", "Xinhua Community"),
    ("大山社区", "Dashan Community"),
    ("幸福社区", "Xingfu Community"),
    ("和平社区", "Heping Community"),
    ("东方社区", "Dongfang Community"),
    ("沭河社区", "Shuhe Community"),
    ("滨河社区", "Binhe Community"),
    ("龙泉社区", "Longquan Community"),
    ("金山社区", "Jinshan Community"),
    ("文化社区", "Wenhua Community"),
    ("临港社区", "Linggang Community"),
];

/// Villages whose names the stories need, by the lattice block of their grid.
const NAMED_VILLAGES: [((usize, usize), &str, &str); 2] = [
    ((2, 2), "西朱沙沟村", "West Zhushagou Village"),
    ((3, 2), "东朱沙沟村", "East Zhushagou Village"),
];

/// Builds the lattice, grids and settlements.
#[expect(
    clippy::too_many_lines,
    reason = "the generator's steps in their order; each is short and the order is what it means"
)]
pub(crate) fn build_ground(seed: u64) -> Ground {
    let mut rng = stream(seed, "ground");
    let pts = jittered_lattice(&mut rng);
    let mut cell_grid = vec![usize::MAX; NI * NJ];
    let mut grids: Vec<GridGen> = Vec::new();
    let mut places: Vec<Place> = Vec::new();
    let mut place_vertex: Vec<(usize, usize)> = Vec::new();
    let mut per_town = [0usize; 5];
    let mut used_names: HashSet<String> = NAMED_VILLAGES.iter().map(|v| v.1.to_owned()).collect();

    // Communities of the subdistrict first, so that their indices are stable.
    for (k, (name, name_en)) in COMMUNITIES.iter().enumerate() {
        let (ca, cb) = (k % 3, k / 3);
        let (i0, j0) = (14 + 4 * ca, 12 + 3 * cb);
        let c = [
            pts[vid(i0, j0)],
            pts[vid(i0 + 4, j0)],
            pts[vid(i0 + 4, j0 + 3)],
            pts[vid(i0, j0 + 3)],
        ];
        let centre = [
            c.iter().map(|p| p[0]).sum::<f64>() / 4.0,
            c.iter().map(|p| p[1]).sum::<f64>() / 4.0,
        ];
        places.push(Place {
            id: format!("c-{:02}", k + 1),
            name: (*name).to_owned(),
            name_en: (*name_en).to_owned(),
            kind: PlaceKind::Community,
            town: TownId(TOWNS[0].id.to_owned()),
            grids: Vec::new(),
            position: to_lonlat(centre),
            population: 0,
        });
        place_vertex.push((i0 + 2, j0 + 1));
    }

    for b in 0..NJ / 2 {
        for a in 0..NI / 2 {
            let (i0, j0) = (2 * a, 2 * b);
            let town = town_of_cell(i0, j0);
            if town == 0 {
                // The subdistrict's blocks hold two urban grids each, one cell row apiece.
                for row in 0..2 {
                    let j = j0 + row;
                    let ring = vec![
                        vid(i0, j),
                        vid(i0 + 1, j),
                        vid(i0 + 2, j),
                        vid(i0 + 2, j + 1),
                        vid(i0 + 1, j + 1),
                        vid(i0, j + 1),
                    ];
                    let community = ((j - 12) / 3) * 3 + (i0 - 14) / 4;
                    let pop = rng.gen_range(1_100.0..1_600.0);
                    push_grid(
                        &mut grids,
                        &mut per_town,
                        &pts,
                        town,
                        ring,
                        community,
                        &places,
                        pop,
                    );
                    let g = grids.len() - 1;
                    cell_grid[j * NI + i0] = g;
                    cell_grid[j * NI + i0 + 1] = g;
                }
                continue;
            }
            let (name, name_en) = match NAMED_VILLAGES.iter().find(|v| v.0 == (a, b)) {
                Some(v) => (v.1.to_owned(), v.2.to_owned()),
                None => loop {
                    let (n, e) = names::village_name(&mut rng);
                    if used_names.insert(n.clone()) {
                        break (n, e);
                    }
                },
            };
            let seat = TOWNS[town].seat;
            let near_seat = seat.0.abs_diff(i0 + 1) <= 1 && seat.1.abs_diff(j0 + 1) <= 1;
            let pop = rng.gen_range(240.0..440.0) * if near_seat { 4.0 } else { 1.0 };
            places.push(Place {
                id: format!("v-{:03}", places.len() - COMMUNITIES.len() + 1),
                name,
                name_en,
                kind: PlaceKind::Village,
                town: TownId(TOWNS[town].id.to_owned()),
                grids: Vec::new(),
                position: to_lonlat(pts[vid(i0 + 1, j0 + 1)]),
                population: 0,
            });
            place_vertex.push((i0 + 1, j0 + 1));
            let ring = rect_ring(i0, j0, i0 + 2, j0 + 2);
            push_grid(
                &mut grids,
                &mut per_town,
                &pts,
                town,
                ring,
                places.len() - 1,
                &places,
                pop,
            );
            let g = grids.len() - 1;
            for (di, dj) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                cell_grid[(j0 + dj) * NI + i0 + di] = g;
            }
        }
    }

    // Scale populations to the district's 200,000 and roll them up into places.
    let total: f64 = grids.iter().map(|g| f64::from(g.grid.population)).sum();
    let factor = if total > 0.0 {
        TARGET_POPULATION / total
    } else {
        1.0
    };
    for g in &mut grids {
        g.grid.population = (f64::from(g.grid.population) * factor).round() as u32;
        let place = &mut places[g.place];
        place.population += g.grid.population;
        place.grids.push(g.grid.id.clone());
    }
    Ground {
        pts,
        cell_grid,
        grids,
        places,
        place_vertex,
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "a private helper of build_ground"
)]
fn push_grid(
    grids: &mut Vec<GridGen>,
    per_town: &mut [usize; 5],
    pts: &[[f64; 2]],
    town: usize,
    ring: Vec<usize>,
    place: usize,
    places: &[Place],
    population: f64,
) {
    per_town[town] += 1;
    let n = per_town[town];
    let spec = TOWNS[town];
    let centre = {
        let k = ring.len() as f64;
        [
            ring.iter().map(|v| pts[*v][0]).sum::<f64>() / k,
            ring.iter().map(|v| pts[*v][1]).sum::<f64>() / k,
        ]
    };
    let place_name = places[place].name.clone();
    let name = if spec.subdistrict {
        format!("{place_name}第{n:02}网格")
    } else {
        format!("{place_name}网格")
    };
    grids.push(GridGen {
        grid: Grid {
            id: GridId(format!("g-{}-{n:03}", spec.short)),
            name,
            town: TownId(spec.id.to_owned()),
            place: place_name,
            population: population as u32,
            centre: to_lonlat(centre),
        },
        town,
        ring,
        place,
    });
}

fn jittered_lattice(rng: &mut DemoRng) -> Vec<[f64; 2]> {
    let ph: Vec<f64> = (0..6)
        .map(|_| rng.gen_range(0.0..std::f64::consts::TAU))
        .collect();
    let mut pts = Vec::with_capacity((NI + 1) * (NJ + 1));
    for j in 0..=NJ {
        for i in 0..=NI {
            let bx = i as f64 * CELL - 12_000.0;
            let by = j as f64 * CELL - 10_800.0;
            let mut dx = 260.0 * (by / 2_600.0 + ph[0]).sin()
                + 150.0 * (bx / 3_300.0 + ph[1]).sin()
                + rng.gen_range(-60.0..60.0);
            let mut dy = 240.0 * (bx / 2_500.0 + ph[2]).sin()
                + 140.0 * (by / 3_600.0 + ph[3]).sin()
                + rng.gen_range(-60.0..60.0);
            // The outline bulges outwards by up to 300 m, so the district is not a rectangle;
            // outwards only, so that no boundary cell becomes thin.
            let bulge = |v: f64, phase: f64| 150.0 * (1.0 + (v / 2_900.0 + phase).sin());
            if i == 0 {
                dx -= bulge(by, ph[4]);
            }
            if i == NI {
                dx += bulge(by, ph[4] + 2.0);
            }
            if j == 0 {
                dy -= bulge(bx, ph[5]);
            }
            if j == NJ {
                dy += bulge(bx, ph[5] + 2.0);
            }
            pts.push([bx + dx, by + dy]);
        }
    }
    pts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_has_a_grid_and_grid_counts_are_in_range() {
        let g = build_ground(1);
        assert!(g.cell_grid.iter().all(|c| *c != usize::MAX));
        assert!((300..=400).contains(&g.grids.len()), "{}", g.grids.len());
        let pop: u32 = g.grids.iter().map(|g| g.grid.population).sum();
        assert!((195_000..=205_000).contains(&pop), "{pop}");
        for gr in &g.grids {
            let cells = g.cells_of(
                g.grids
                    .iter()
                    .position(|x| x.grid.id == gr.grid.id)
                    .unwrap_or(0),
            );
            assert!(cells.iter().all(|(i, j)| town_of_cell(*i, *j) == gr.town));
        }
    }

    #[test]
    fn locate_finds_the_cell_of_random_points() {
        let g = build_ground(2);
        let mut rng = stream(2, "t");
        for _ in 0..200 {
            let (i, j) = (rng.gen_range(0..NI), rng.gen_range(0..NJ));
            let p = g.point_in_cell(&mut rng, i, j);
            assert_eq!(g.locate(p), Some((i, j)));
        }
    }
}
