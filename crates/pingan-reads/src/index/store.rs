//! Compact building blocks of the read index: chunked columns, dictionaries, time-sorted lists.
//!
//! Everything here is sized by capacity, never by doubling one huge vector: columns and
//! checkpoint lists grow in fixed chunks, so the slack of a growing index is one chunk, not half
//! the index.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::plate::{PlateColour, PlateType};

/// Rows per column chunk (a power of two so row → chunk is a shift).
pub(crate) const CHUNK_BITS: u32 = 16;
pub(crate) const CHUNK: usize = 1 << CHUNK_BITS;
const CHUNK_MASK: usize = CHUNK - 1;

/// A small, deterministic, fast hasher (the multiply-rotate scheme of rustc's `FxHasher`, with
/// a final avalanche).
/// Keys are plate strings and integer ids from trusted devices; correctness never depends on
/// the absence of collisions (see [`PlateDict`]).
#[derive(Default, Clone, Copy, Debug)]
pub(crate) struct FxHasher(u64);

const FX_K: u64 = 0x517c_c1b7_2722_0a95;

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(FX_K);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    /// The multiply-rotate state has well-mixed high bits but weak low bits, and the hash
    /// table picks buckets from the low bits; a final avalanche (MurmurHash3's `fmix64`) keeps
    /// probe sequences short.
    #[inline]
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;
pub(crate) type FxMap<K, V> = HashMap<K, V, FxBuild>;

pub(crate) fn fx_hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

/// Approximate heap bytes of a hash map: buckets (key + value + one control byte) at the
/// table's capacity.
pub(crate) fn map_bytes<K, V, S>(m: &HashMap<K, V, S>) -> usize {
    m.capacity() * (std::mem::size_of::<(K, V)>() + 1)
}

/// One chunk of the row store, structure of arrays.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    pub ts: Vec<i64>,
    pub read_id: Vec<i64>,
    pub plate: Vec<u32>,
    pub checkpoint: Vec<u16>,
    pub confidence: Vec<u16>,
    pub attr: Vec<u16>,
    pub lane: Vec<u8>,
    pub direction: Vec<u8>,
}

impl Chunk {
    fn with_capacity(n: usize) -> Self {
        Self {
            ts: Vec::with_capacity(n),
            read_id: Vec::with_capacity(n),
            plate: Vec::with_capacity(n),
            checkpoint: Vec::with_capacity(n),
            confidence: Vec::with_capacity(n),
            attr: Vec::with_capacity(n),
            lane: Vec::with_capacity(n),
            direction: Vec::with_capacity(n),
        }
    }

    fn bytes(&self) -> usize {
        self.ts.capacity() * 8
            + self.read_id.capacity() * 8
            + self.plate.capacity() * 4
            + (self.checkpoint.capacity() + self.confidence.capacity() + self.attr.capacity()) * 2
            + self.lane.capacity()
            + self.direction.capacity()
    }
}

/// One row's compact values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowVals {
    pub ts: i64,
    pub read_id: i64,
    pub plate: u32,
    pub checkpoint: u16,
    pub confidence: u16,
    pub attr: u16,
    pub lane: u8,
    pub direction: u8,
}

/// The row store: rows in insertion order, in chunks of [`CHUNK`] rows.
#[derive(Debug, Default)]
pub(crate) struct Columns {
    chunks: Vec<Chunk>,
    len: usize,
}

impl Columns {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn push(&mut self, r: RowVals) {
        if self.len & CHUNK_MASK == 0 {
            self.chunks.push(Chunk::with_capacity(CHUNK));
        }
        if let Some(c) = self.chunks.last_mut() {
            c.ts.push(r.ts);
            c.read_id.push(r.read_id);
            c.plate.push(r.plate);
            c.checkpoint.push(r.checkpoint);
            c.confidence.push(r.confidence);
            c.attr.push(r.attr);
            c.lane.push(r.lane);
            c.direction.push(r.direction);
            self.len += 1;
        }
    }

    #[inline]
    fn at(&self, row: u32) -> (&Chunk, usize) {
        let r = row as usize;
        (&self.chunks[r >> CHUNK_BITS], r & CHUNK_MASK)
    }

    #[inline]
    pub fn ts(&self, row: u32) -> i64 {
        let (c, i) = self.at(row);
        c.ts[i]
    }

    /// Sort key of a row: rows are ordered by `(ts, read_id)` everywhere, as in the SQL.
    #[inline]
    pub fn key(&self, row: u32) -> (i64, i64) {
        let (c, i) = self.at(row);
        (c.ts[i], c.read_id[i])
    }

    #[inline]
    pub fn plate(&self, row: u32) -> u32 {
        let (c, i) = self.at(row);
        c.plate[i]
    }

    #[inline]
    pub fn attr(&self, row: u32) -> u16 {
        let (c, i) = self.at(row);
        c.attr[i]
    }

    pub fn get(&self, row: u32) -> RowVals {
        let (c, i) = self.at(row);
        RowVals {
            ts: c.ts[i],
            read_id: c.read_id[i],
            plate: c.plate[i],
            checkpoint: c.checkpoint[i],
            confidence: c.confidence[i],
            attr: c.attr[i],
            lane: c.lane[i],
            direction: c.direction[i],
        }
    }

    pub fn set_plate(&mut self, row: u32, plate: u32) {
        let r = row as usize;
        self.chunks[r >> CHUNK_BITS].plate[r & CHUNK_MASK] = plate;
    }

    pub fn bytes(&self) -> usize {
        self.chunks.iter().map(Chunk::bytes).sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<Chunk>()
    }
}

/// Plate interning: plate text ↔ dense `u32` id.
///
/// The text lives once, in one byte arena; the hash table maps a 64-bit hash of the text to
/// the id, and the rare plate whose hash collides with another's goes to a small exact map,
/// so lookups are exact whatever the hash does.
#[derive(Debug, Default)]
pub(crate) struct PlateDict {
    arena: String,
    ends: Vec<u32>,
    /// Fixed-size signatures for dictionary scans (see `pattern::plate_signature`).
    heads: Vec<u16>,
    bodies: Vec<u64>,
    by_hash: FxMap<u64, u32>,
    collided: HashMap<Box<str>, u32>,
}

impl PlateDict {
    pub fn name(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        // Ends are pushed after whole `&str`s, so they always fall on character boundaries.
        self.arena
            .get(start..self.ends[i] as usize)
            .unwrap_or_default()
    }

    /// Signatures of all plates, indexed by id.
    pub fn signatures(&self) -> (&[u16], &[u64]) {
        (&self.heads, &self.bodies)
    }

    pub fn get(&self, s: &str) -> Option<u32> {
        match self.by_hash.get(&fx_hash(s)) {
            Some(&id) if self.name(id) == s => Some(id),
            Some(_) => self.collided.get(s).copied(),
            None => None,
        }
    }

    /// Returns the id, interning the plate when new (`None` only when ids are exhausted).
    pub fn intern(&mut self, s: &str) -> Option<(u32, bool)> {
        if let Some(id) = self.get(s) {
            return Some((id, false));
        }
        let id = u32::try_from(self.ends.len()).ok()?;
        self.arena.push_str(s);
        let (head, body) = crate::pattern::plate_signature(s);
        self.heads.push(head);
        self.bodies.push(body);
        self.ends.push(u32::try_from(self.arena.len()).ok()?);
        let h = fx_hash(s);
        match self.by_hash.entry(h) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.insert(s.into(), id);
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(id);
            }
        }
        Some((id, true))
    }

    pub fn bytes(&self) -> usize {
        self.arena.capacity()
            + self.ends.capacity() * 4
            + self.heads.capacity() * 2
            + self.bodies.capacity() * 8
            + map_bytes(&self.by_hash)
            + map_bytes(&self.collided)
            + self.collided.keys().map(|k| k.len()).sum::<usize>()
    }
}

/// Descriptive attributes of a read that repeat a lot: interned as one `u16` per read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Attrs {
    pub vehicle_colour: Option<Box<str>>,
    pub vehicle_type: Option<Box<str>>,
    pub vehicle_brand: Option<Box<str>>,
    pub plate_colour: Option<PlateColour>,
    pub plate_type: Option<PlateType>,
}

/// Borrowed view of [`Attrs`], so that looking up a known combination allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AttrsRef<'a> {
    pub vehicle_colour: Option<&'a str>,
    pub vehicle_type: Option<&'a str>,
    pub vehicle_brand: Option<&'a str>,
    pub plate_colour: Option<PlateColour>,
    pub plate_type: Option<PlateType>,
}

impl AttrsRef<'_> {
    fn hash64(&self) -> u64 {
        let mut h = FxHasher::default();
        for s in [self.vehicle_colour, self.vehicle_type, self.vehicle_brand] {
            match s {
                Some(s) => {
                    h.write_u8(1);
                    h.write(s.as_bytes());
                    h.write_u8(0xFF);
                }
                None => h.write_u8(0),
            }
        }
        h.write_u8(self.plate_colour.map_or(0, PlateColour::code));
        h.write_u8(self.plate_type.map_or(0, PlateType::code));
        h.finish()
    }

    fn same_as(&self, a: &Attrs) -> bool {
        self.vehicle_colour == a.vehicle_colour.as_deref()
            && self.vehicle_type == a.vehicle_type.as_deref()
            && self.vehicle_brand == a.vehicle_brand.as_deref()
            && self.plate_colour == a.plate_colour
            && self.plate_type == a.plate_type
    }
}

/// Attribute interning: like [`PlateDict`], a hash → id table with an exact check, and the rare
/// colliding combination in a short list searched linearly.
#[derive(Debug, Default)]
pub(crate) struct AttrDict {
    list: Vec<Attrs>,
    by_hash: FxMap<u64, u16>,
    collided: Vec<u16>,
}

impl AttrDict {
    pub fn get(&self, id: u16) -> Option<&Attrs> {
        self.list.get(usize::from(id))
    }

    /// `None` when all 65,536 combinations are taken.
    pub fn intern(&mut self, a: AttrsRef<'_>) -> Option<u16> {
        let h = a.hash64();
        if let Some(&id) = self.by_hash.get(&h) {
            if a.same_as(&self.list[usize::from(id)]) {
                return Some(id);
            }
            if let Some(&id) = self
                .collided
                .iter()
                .find(|&&id| a.same_as(&self.list[usize::from(id)]))
            {
                return Some(id);
            }
        }
        let id = u16::try_from(self.list.len()).ok()?;
        self.list.push(Attrs {
            vehicle_colour: a.vehicle_colour.map(Into::into),
            vehicle_type: a.vehicle_type.map(Into::into),
            vehicle_brand: a.vehicle_brand.map(Into::into),
            plate_colour: a.plate_colour,
            plate_type: a.plate_type,
        });
        match self.by_hash.entry(h) {
            std::collections::hash_map::Entry::Occupied(_) => self.collided.push(id),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(id);
            }
        }
        Some(id)
    }

    pub fn bytes(&self) -> usize {
        let strings: usize = self
            .list
            .iter()
            .map(|a| {
                [&a.vehicle_colour, &a.vehicle_type, &a.vehicle_brand]
                    .iter()
                    .map(|s| s.as_ref().map_or(0, |s| s.len()))
                    .sum::<usize>()
            })
            .sum();
        self.list.capacity() * std::mem::size_of::<Attrs>()
            + map_bytes(&self.by_hash)
            + self.collided.capacity() * 2
            + strings
    }
}

/// Rows of one checkpoint sorted by `(ts, read_id)`, in chunks of at most [`LIST_CHUNK`].
///
/// Reads arrive mostly in time order, so nearly every insert is an append to the last chunk;
/// a late read is inserted into the chunk that covers its time, which is split when full.
#[derive(Debug, Default)]
pub(crate) struct TimeList {
    chunks: Vec<Vec<u32>>,
}

pub(crate) const LIST_CHUNK: usize = 4096;

impl TimeList {
    /// Bulk append of rows already in key order after every existing row.
    pub fn push_sorted(&mut self, row: u32) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < LIST_CHUNK => c.push(row),
            _ => {
                let mut c = Vec::with_capacity(LIST_CHUNK);
                c.push(row);
                self.chunks.push(c);
            }
        }
    }

    /// Inserts `row` at its `(ts, read_id)` position.
    pub fn insert(&mut self, row: u32, cols: &Columns) {
        let key = cols.key(row);
        let after_last = self
            .chunks
            .last()
            .and_then(|c| c.last())
            .is_none_or(|&last| cols.key(last) <= key);
        if after_last {
            self.push_sorted(row);
            return;
        }
        // The first chunk whose last key is beyond the new key holds its position.
        let ci = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|&l| cols.key(l) <= key));
        let Some(chunk) = self.chunks.get_mut(ci) else {
            self.push_sorted(row);
            return;
        };
        let pos = chunk.partition_point(|&r| cols.key(r) <= key);
        chunk.insert(pos, row);
        if chunk.len() > LIST_CHUNK {
            let mut tail = Vec::with_capacity(LIST_CHUNK);
            tail.extend_from_slice(&chunk[LIST_CHUNK / 2..]);
            chunk.truncate(LIST_CHUNK / 2);
            self.chunks.insert(ci + 1, tail);
        }
    }

    /// Position `(chunk, offset)` of the first row with `ts >= t`.
    pub fn seek(&self, t: i64, cols: &Columns) -> (usize, usize) {
        let ci = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|&l| cols.ts(l) < t));
        match self.chunks.get(ci) {
            Some(c) => (ci, c.partition_point(|&r| cols.ts(r) < t)),
            None => (ci, 0),
        }
    }

    /// Rows from a position on, in key order.
    pub fn iter_from(&self, (ci, off): (usize, usize)) -> impl Iterator<Item = u32> + '_ {
        let first = self
            .chunks
            .get(ci)
            .map_or(&[][..], |c| c.get(off..).unwrap_or_default());
        let rest = self.chunks.get(ci + 1..).unwrap_or_default();
        first
            .iter()
            .copied()
            .chain(rest.iter().flat_map(|c| c.iter().copied()))
    }

    /// Rows with `t0 <= ts < t1`, in key order.
    pub fn range<'a>(
        &'a self,
        t0: i64,
        t1: i64,
        cols: &'a Columns,
    ) -> impl Iterator<Item = u32> + 'a {
        self.iter_from(self.seek(t0, cols))
            .take_while(move |&r| cols.ts(r) < t1)
    }

    /// Number of rows with `t0 <= ts < t1`, by two searches.
    pub fn count(&self, t0: i64, t1: i64, cols: &Columns) -> usize {
        if t1 <= t0 {
            return 0;
        }
        let ordinal = |(ci, off): (usize, usize)| -> usize {
            self.chunks.iter().take(ci).map(Vec::len).sum::<usize>() + off
        };
        ordinal(self.seek(t1, cols)) - ordinal(self.seek(t0, cols))
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.chunks.iter().flat_map(|c| c.iter().copied())
    }

    pub fn bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.capacity() * 4).sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<Vec<u32>>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn row(ts: i64, read_id: i64) -> RowVals {
        RowVals {
            ts,
            read_id,
            plate: 0,
            checkpoint: 0,
            confidence: 0,
            attr: 0,
            lane: 0,
            direction: 0,
        }
    }

    /// Rows across several column chunks, inserted into a list in random order so that chunks
    /// split many times; the list must stay sorted and complete, and ranges exact.
    #[test]
    fn time_list_stays_sorted_through_splits() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut cols = Columns::default();
        let n = CHUNK + 5_000;
        for i in 0..n {
            cols.push(row(rng.gen_range(0..50_000), i as i64));
        }
        assert_eq!(cols.len(), n);
        let mut list = TimeList::default();
        for r in 0..n as u32 {
            list.insert(r, &cols);
        }
        let got: Vec<u32> = list.iter().collect();
        let mut want: Vec<u32> = (0..n as u32).collect();
        want.sort_by_key(|&r| cols.key(r));
        assert_eq!(got, want);
        assert!(list.chunks.iter().all(|c| c.len() <= LIST_CHUNK));
        for _ in 0..200 {
            let a = rng.gen_range(-10..50_010);
            let b = a + rng.gen_range(-5..3_000);
            let naive: Vec<u32> = want
                .iter()
                .copied()
                .filter(|&r| (a..b).contains(&cols.ts(r)))
                .collect();
            assert_eq!(list.range(a, b, &cols).collect::<Vec<_>>(), naive);
            assert_eq!(list.count(a, b, &cols), naive.len());
        }
    }

    #[test]
    fn plate_dict_survives_hash_collisions_and_round_trips() {
        let mut d = PlateDict::default();
        let names: Vec<String> = (0..5_000).map(|i| format!("鲁Q{i:05}")).collect();
        for (i, n) in names.iter().enumerate() {
            assert_eq!(d.intern(n), Some((i as u32, true)));
        }
        for (i, n) in names.iter().enumerate() {
            assert_eq!(d.get(n), Some(i as u32));
            assert_eq!(d.name(i as u32), n);
            assert_eq!(d.intern(n), Some((i as u32, false)));
        }
        assert_eq!(d.get("鲁Q99999"), None);
        // Force the collision path: pretend a new name's hash is already taken by another plate.
        let fake = "京A00000";
        d.by_hash.insert(fx_hash(fake), 0);
        assert_eq!(d.get(fake), None);
        assert_eq!(d.intern(fake), Some((5_000, true)));
        assert_eq!(d.get(fake), Some(5_000));
        assert_eq!(d.intern(fake), Some((5_000, false)));
        assert_eq!(d.get(&names[0]), Some(0));
        assert_eq!(d.name(5_000), fake);
    }

    #[test]
    fn attr_dict_interns_without_duplicates() {
        let mut d = AttrDict::default();
        let a = AttrsRef {
            vehicle_colour: Some("白"),
            vehicle_type: Some("K33"),
            vehicle_brand: None,
            plate_colour: Some(PlateColour::Blue),
            plate_type: None,
        };
        let b = AttrsRef {
            vehicle_colour: None,
            vehicle_type: Some("白K33"),
            ..a
        };
        let ia = d.intern(a);
        let ib = d.intern(b);
        assert_ne!(ia, ib);
        assert_eq!(d.intern(a), ia);
        assert_eq!(
            d.get(ia.unwrap_or(0))
                .and_then(|x| x.vehicle_colour.as_deref()),
            Some("白")
        );
    }
}
