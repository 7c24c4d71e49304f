//! The permutation kernel: counts, for a block of permutations at once, how many close pairs
//! have a permuted time gap within each threshold.
//!
//! Each event carries its permuted times for `LANES` permutations side by side, as 16-bit
//! quantised times (`q = t / Q`, with `Q` the smallest whole number of seconds that fits the
//! span in 15 bits) plus the exact 32-bit seconds. A pair is decided from the 16-bit gap `d`
//! whenever that is unambiguous: since `t = Q·q + r` with `0 ≤ r < Q`, the true gap lies in
//! `(Q(d − 1), Q(d + 1))`, so `d ≤ ⌊h/Q⌋ − 1` is surely within `h` and `d ≥ ⌈h/Q⌉ + 1` surely
//! beyond it. The rare lanes in between (about 1e-4 of them) are settled with the exact times.
//! The comparisons on 32 lanes of 16 bits vectorise even on baseline x86-64 (SSE2).

/// Permutations per block.
pub(super) const LANES: usize = 32;

/// The thresholds in exact seconds and in quantised units.
pub(super) struct Thresholds {
    /// Exact thresholds in seconds.
    pub exact: Vec<i32>,
    /// Largest quantised gap surely within each threshold.
    pub sure: Vec<i16>,
    /// Largest quantised gap possibly within each threshold.
    pub maybe: Vec<i16>,
}

impl Thresholds {
    /// The quantum `Q` for times in `0..=span_s` and the thresholds for it.
    pub fn new(exact: &[i32], span_s: i32) -> (i32, Self) {
        let q = (span_s / i32::from(i16::MAX) + 1).max(1);
        let clamp = |v: i32| v.clamp(-1, i32::from(i16::MAX)) as i16;
        let sure = exact
            .iter()
            .map(|&h| clamp(if q == 1 { h } else { h / q - 1 }))
            .collect();
        let maybe = exact
            .iter()
            .map(|&h| clamp(if q == 1 { h } else { (h + q - 1) / q }))
            .collect();
        (
            q,
            Self {
                exact: exact.to_vec(),
                sure,
                maybe,
            },
        )
    }
}

/// One block's permuted times.
pub(super) struct Block<'a> {
    /// Quantised permuted times, `[event][lane]`.
    pub t16: Vec<[i16; LANES]>,
    /// The permutations, `[lane][event]` = index of the event whose time this event receives.
    pub perm: Vec<Vec<u32>>,
    /// Exact times in seconds, by event.
    pub ts: &'a [i32],
}

impl<'a> Block<'a> {
    /// Lays out the permuted times of up to `LANES` permutations, event by event (so that each
    /// event's row is written once, not once per lane).
    pub fn new(perm: Vec<Vec<u32>>, ts: &'a [i32], quantum: i32) -> Self {
        let mut t16 = vec![[0i16; LANES]; ts.len()];
        for (i, row) in t16.iter_mut().enumerate() {
            for (lane, p) in perm.iter().enumerate() {
                row[lane] = (ts[p[i] as usize] / quantum) as i16;
            }
        }
        Self { t16, perm, ts }
    }

    /// Exact permuted time of event `i` in `lane` (0 for lanes beyond the block's permutations).
    fn exact(&self, i: usize, lane: usize) -> i32 {
        self.perm.get(lane).map_or(0, |p| self.ts[p[i] as usize])
    }
}

/// Per-lane cumulative counts `[k][lane]`: pairs of one row whose permuted gap is ≤ threshold `k`.
pub(super) fn count_block(
    b: &Block,
    off: &[u32],
    js: &[u32],
    th: &Thresholds,
) -> Vec<[u32; LANES]> {
    macro_rules! fixed {
        ($($k:literal)*) => {
            match th.exact.len() {
                $($k => {
                    let sure: [i16; $k] = std::array::from_fn(|k| th.sure[k]);
                    let maybe: [i16; $k] = std::array::from_fn(|k| th.maybe[k]);
                    let exact: [i32; $k] = std::array::from_fn(|k| th.exact[k]);
                    return count_k::<$k>(b, off, js, &sure, &maybe, &exact).to_vec();
                })*
                _ => {}
            }
        };
    }
    fixed!(1 2 3 4 5 6 7 8);
    // Many bands: one threshold at a time (rare; same result).
    (0..th.exact.len())
        .map(|k| count_k::<1>(b, off, js, &[th.sure[k]], &[th.maybe[k]], &[th.exact[k]])[0])
        .collect()
}

/// Longest run of one event's partners counted in 16-bit accumulators before they are flushed.
const FLUSH: usize = 16_384;

fn count_k<const K: usize>(
    b: &Block,
    off: &[u32],
    js: &[u32],
    sure: &[i16; K],
    maybe: &[i16; K],
    exact: &[i32; K],
) -> [[u32; LANES]; K] {
    let mut total = [[0u32; LANES]; K];
    for (i, a) in b.t16.iter().enumerate() {
        let list = &js[off[i] as usize..off[i + 1] as usize];
        for chunk in list.chunks(FLUSH) {
            let mut acc = [[0u16; LANES]; K];
            for &j in chunk {
                let Some(c) = b.t16.get(j as usize) else {
                    continue;
                };
                let mut d = [0i16; LANES];
                for l in 0..LANES {
                    d[l] = (a[l] - c[l]).abs();
                }
                let mut unsure = 0u16;
                for k in 0..K {
                    for l in 0..LANES {
                        acc[k][l] += u16::from(d[l] <= sure[k]);
                        unsure |= u16::from(d[l] > sure[k] && d[l] <= maybe[k]);
                    }
                }
                if unsure != 0 {
                    // Settle the ambiguous lanes with the exact times (rare).
                    for k in 0..K {
                        for l in 0..LANES {
                            if d[l] > sure[k]
                                && d[l] <= maybe[k]
                                && (b.exact(i, l) - b.exact(j as usize, l)).abs() <= exact[k]
                            {
                                acc[k][l] += 1;
                            }
                        }
                    }
                }
            }
            for k in 0..K {
                for l in 0..LANES {
                    total[k][l] += u32::from(acc[k][l]);
                }
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantised_decisions_agree_with_exact_ones() {
        // Times over a year with a 7-day threshold: Q = 963 s.
        let span = 365 * 86_400;
        let (q, th) = Thresholds::new(&[7 * 86_400, 7 * 86_400 + 17], span);
        assert!(q > 1);
        let n = 300;
        let times: Vec<i32> = (0..n)
            .map(|i| ((i as i64 * 7_919_993) % i64::from(span)) as i32)
            .collect();
        // Put some gaps right on the threshold.
        let mut times = times;
        times[1] = times[0] + 7 * 86_400;
        times[3] = times[2] + 7 * 86_400 + 1;
        let identity: Vec<u32> = (0..n as u32).collect();
        let block = Block::new(vec![identity; LANES], &times, q);
        let mut off = vec![0u32];
        let mut js = Vec::new();
        for i in 0..n {
            js.extend((i + 1..n).map(|j| j as u32));
            off.push(js.len() as u32);
        }
        let got = count_block(&block, &off, &js, &th);
        for (k, &h) in th.exact.iter().enumerate() {
            let mut want = 0;
            for i in 0..n {
                for j in i + 1..n {
                    want += u32::from((times[i] - times[j]).abs() <= h);
                }
            }
            assert!(
                got[k].iter().all(|&c| c == want),
                "k {k}: {} vs {want}",
                got[k][0]
            );
        }
    }
}
