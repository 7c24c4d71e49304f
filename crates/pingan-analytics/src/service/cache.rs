//! A small bounded LRU of analysis results, keyed by (method, parameters, data version).
//!
//! It lives in a process-wide `static` rather than in `AppState`: results depend only on the
//! key (the data version is a hash of the events analysed), so sharing them between states is
//! correct, and the module needs no field in the shared state. Both the number of entries and
//! their total size are bounded; the least recently used entry goes first. Eviction is a linear
//! scan, which is fine for a few dozen entries.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Most entries kept.
pub const MAX_ENTRIES: usize = 64;
/// Most bytes kept (the sum of entry sizes).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// A finished result: a JSON document or an image with its legend.
#[derive(Debug, Clone, PartialEq)]
pub enum Cached {
    Json(serde_json::Value),
    Png { bytes: Vec<u8>, legend: String },
}

impl Cached {
    fn size(&self) -> usize {
        match self {
            // Serialising to measure would double the work; the string form's length is a fair
            // estimate and is computed once per insert.
            Cached::Json(v) => v.to_string().len(),
            Cached::Png { bytes, legend } => bytes.len() + legend.len(),
        }
    }
}

/// The cache key: SHA-256 of the method, the canonical parameters and the data version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key([u8; 32]);

impl Key {
    pub fn new(method: &str, params: &serde_json::Value, version: &str) -> Self {
        let mut h = Sha256::new();
        for part in [method, &params.to_string(), version] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        Self(h.finalize().into())
    }
}

#[derive(Debug, Default)]
struct Lru {
    entries: HashMap<Key, (u64, usize, Arc<Cached>)>,
    tick: u64,
    bytes: usize,
}

fn lru() -> &'static Mutex<Lru> {
    static CACHE: OnceLock<Mutex<Lru>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Lru::default()))
}

/// The cached result for `key`, if any (and marks it as recently used).
pub fn get(key: &Key) -> Option<Arc<Cached>> {
    let mut c = lru().lock().unwrap_or_else(|p| p.into_inner());
    c.tick += 1;
    let tick = c.tick;
    c.entries.get_mut(key).map(|e| {
        e.0 = tick;
        e.2.clone()
    })
}

/// Stores a result; entries larger than a quarter of the byte bound are not kept.
pub fn put(key: Key, value: Arc<Cached>) {
    let size = value.size();
    if size > MAX_BYTES / 4 {
        return;
    }
    let mut c = lru().lock().unwrap_or_else(|p| p.into_inner());
    c.tick += 1;
    let tick = c.tick;
    if let Some(old) = c.entries.insert(key, (tick, size, value)) {
        c.bytes -= old.1;
    }
    c.bytes += size;
    while c.entries.len() > MAX_ENTRIES || c.bytes > MAX_BYTES {
        let Some(oldest) = c.entries.iter().min_by_key(|(_, e)| e.0).map(|(k, _)| *k) else {
            break;
        };
        if let Some(e) = c.entries.remove(&oldest) {
            c.bytes -= e.1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_the_bound_and_drops_the_least_recent() {
        let first = Key::new("test-lru", &serde_json::json!(0), "v");
        put(first, Arc::new(Cached::Json(serde_json::json!(0))));
        for i in 1..=MAX_ENTRIES as u64 + 5 {
            // Touch the first key so that it stays the most recently used.
            assert!(get(&first).is_some());
            let k = Key::new("test-lru", &serde_json::json!(i), "v");
            put(k, Arc::new(Cached::Json(serde_json::json!(i))));
        }
        assert!(get(&first).is_some());
        assert!(get(&Key::new("test-lru", &serde_json::json!(1), "v")).is_none());
        let c = lru().lock().unwrap();
        assert!(c.entries.len() <= MAX_ENTRIES);
    }
}
