//! Watch-list (布控) matching: is this read on the list, exactly or by one misread character?
//!
//! Entries are whole plates or patterns (`?`, `*`), each valid in a half-open window. For
//! speed, whole plates live in a hash table, and every variant of a listed plate with one
//! character replaced by an OCR-confusable one is precomputed into a second table (a 7-character
//! plate has a few dozen variants), so matching a read costs two hash lookups plus one pattern
//! test per pattern entry.
//!
//! What this module does not do: approvals, receivers, reason codes, alerts and their
//! acknowledgement belong to the server; the clock is the caller's (`at_us` is passed in).

use std::collections::HashMap;

use crate::index::Window;
use crate::pattern::{plate_signature, PatternError, PlatePattern, SignatureFilter, Substitution};
use crate::plate::{confusable_alternatives, Plate};
use crate::read::Read;

/// Identifier of a watch-list entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WatchEntryId(pub u64);

/// What an entry watches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchTarget {
    /// One whole plate.
    Plate(Plate),
    /// A partial plate.
    Pattern(PlatePattern),
}

impl WatchTarget {
    /// A whole plate if `text` has no wildcard and is a valid plate, else a pattern.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let pattern = PlatePattern::parse(text)?;
        if pattern.is_literal() {
            if let Ok(p) = Plate::parse(pattern.as_str()) {
                return Ok(Self::Plate(p));
            }
        }
        Ok(Self::Pattern(pattern))
    }
}

/// One entry as the matcher needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEntry {
    /// Identifier.
    pub id: WatchEntryId,
    /// Plate or pattern.
    pub target: WatchTarget,
    /// When the entry matches (cancelled or expired entries are simply removed or out of window).
    pub valid: Window,
}

/// How a read matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    /// The plate is the listed one (or fits the pattern).
    Exact,
    /// It would be, with one OCR-confusable character changed.
    Approximate {
        /// 0-based character position in the read plate.
        position: usize,
        /// The character in the read.
        read_char: char,
        /// The listed character.
        listed_char: char,
    },
}

/// A match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The entry.
    pub entry_id: WatchEntryId,
    /// Exact or approximate.
    pub kind: HitKind,
}

impl From<Substitution> for HitKind {
    fn from(s: Substitution) -> Self {
        Self::Approximate {
            position: s.position,
            read_char: s.read_char,
            listed_char: s.listed_char,
        }
    }
}

/// The compiled watch-list.
#[derive(Debug, Default, Clone)]
pub struct WatchList {
    entries: Vec<WatchEntry>,
    exact: HashMap<String, Vec<usize>>,
    variants: HashMap<String, Vec<(usize, Substitution)>>,
    /// Pattern entries with their expanded signature filter (a read that fails it can be
    /// neither an exact nor an approximate hit).
    patterns: Vec<(usize, SignatureFilter)>,
}

impl WatchList {
    /// Compiles entries.
    pub fn new(entries: Vec<WatchEntry>) -> Self {
        let mut w = Self {
            entries,
            ..Self::default()
        };
        w.compile();
        w
    }

    fn compile(&mut self) {
        self.exact.clear();
        self.variants.clear();
        self.patterns.clear();
        for (i, e) in self.entries.iter().enumerate() {
            match &e.target {
                WatchTarget::Pattern(p) => self.patterns.push((i, p.signature_filter(true))),
                WatchTarget::Plate(p) => {
                    self.exact.entry(p.as_str().to_owned()).or_default().push(i);
                    let chars: Vec<char> = p.as_str().chars().collect();
                    for (pos, &listed) in chars.iter().enumerate() {
                        for alt in confusable_alternatives(listed) {
                            let mut v = chars.clone();
                            v[pos] = alt;
                            let sub = Substitution {
                                position: pos,
                                read_char: alt,
                                listed_char: listed,
                            };
                            self.variants
                                .entry(v.into_iter().collect())
                                .or_default()
                                .push((i, sub));
                        }
                    }
                }
            }
        }
    }

    /// Adds or replaces (same id) an entry.
    pub fn upsert(&mut self, entry: WatchEntry) {
        self.entries.retain(|e| e.id != entry.id);
        self.entries.push(entry);
        self.compile();
    }

    /// Removes an entry (撤控); returns whether it was there.
    pub fn remove(&mut self, id: WatchEntryId) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.id != id);
        let removed = self.entries.len() != before;
        if removed {
            self.compile();
        }
        removed
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Hits of a read on entries valid at `at_us`, in entry order.
    pub fn matches(&self, read: &Read, at_us: i64) -> Vec<Hit> {
        self.matches_plate(read.plate.as_str(), at_us)
    }

    /// Hits of a normalised plate text on entries valid at `at_us`, in entry order.
    pub fn matches_plate(&self, plate: &str, at_us: i64) -> Vec<Hit> {
        let mut hits: Vec<(usize, HitKind)> = Vec::new();
        if let Some(ids) = self.exact.get(plate) {
            hits.extend(ids.iter().map(|&i| (i, HitKind::Exact)));
        }
        if let Some(vs) = self.variants.get(plate) {
            hits.extend(vs.iter().map(|&(i, s)| (i, s.into())));
        }
        let (head, body) = plate_signature(plate);
        for &(i, filter) in &self.patterns {
            if !filter.may_match(head, body) {
                continue;
            }
            if let WatchTarget::Pattern(p) = &self.entries[i].target {
                // With every literal widened to its confusables, a miss rules out both kinds.
                if !p.matches(plate, true) {
                    continue;
                }
                if p.matches(plate, false) {
                    hits.push((i, HitKind::Exact));
                } else if let Some(s) = p.match_one_substitution(plate) {
                    hits.push((i, s.into()));
                }
            }
        }
        hits.sort_by_key(|&(i, _)| i);
        hits.into_iter()
            .filter(|&(i, _)| self.entries[i].valid.contains(at_us))
            .map(|(i, kind)| Hit {
                entry_id: self.entries[i].id,
                kind,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64, text: &str, valid: Window) -> WatchEntry {
        WatchEntry {
            id: WatchEntryId(id),
            target: WatchTarget::parse(text).expect("valid target"),
            valid,
        }
    }

    #[test]
    fn exact_approximate_pattern_and_validity() {
        let w = WatchList::new(vec![
            entry(1, "鲁Q12345", Window::new(0, 100)),
            entry(2, "鲁Q?23?5", Window::new(0, 100)),
            entry(3, "京A00000", Window::new(50, 60)),
        ]);
        assert!(matches!(
            entry(1, "鲁Q12345", Window::all()).target,
            WatchTarget::Plate(_)
        ));
        let hits = w.matches_plate("鲁Q12345", 10);
        assert_eq!(
            hits,
            vec![
                Hit {
                    entry_id: WatchEntryId(1),
                    kind: HitKind::Exact
                },
                Hit {
                    entry_id: WatchEntryId(2),
                    kind: HitKind::Exact
                },
            ]
        );
        let hits = w.matches_plate("鲁Q1Z345", 10);
        assert_eq!(
            hits,
            vec![
                Hit {
                    entry_id: WatchEntryId(1),
                    kind: HitKind::Approximate {
                        position: 3,
                        read_char: 'Z',
                        listed_char: '2'
                    }
                },
                Hit {
                    entry_id: WatchEntryId(2),
                    kind: HitKind::Approximate {
                        position: 3,
                        read_char: 'Z',
                        listed_char: '2'
                    }
                },
            ]
        );
        // Two substitutions are not a hit; nor is a non-confusable one.
        assert!(w.matches_plate("鲁Q1Z34S", 10).is_empty());
        assert!(w.matches_plate("鲁Q1X345", 10).is_empty());
        // Validity is half-open.
        assert!(w.matches_plate("鲁Q12345", 100).is_empty());
        assert_eq!(w.matches_plate("京AO0000", 50).len(), 1);
        assert!(w.matches_plate("京A00000", 60).is_empty());
    }

    #[test]
    fn upsert_and_remove() {
        let mut w = WatchList::new(vec![entry(1, "鲁Q12345", Window::all())]);
        w.upsert(entry(1, "鲁Q54321", Window::all()));
        assert_eq!(w.len(), 1);
        assert!(w.matches_plate("鲁Q12345", 0).is_empty());
        assert_eq!(w.matches_plate("鲁Q54321", 0).len(), 1);
        assert!(w.remove(WatchEntryId(1)));
        assert!(!w.remove(WatchEntryId(1)));
        assert!(w.is_empty());
    }

    /// The naive definition for whole plates: equal, or same length and exactly one position
    /// differing by a confusable pair.
    fn naive(listed: &str, read: &str) -> Option<HitKind> {
        if listed == read {
            return Some(HitKind::Exact);
        }
        let (l, r): (Vec<char>, Vec<char>) = (listed.chars().collect(), read.chars().collect());
        if l.len() != r.len() {
            return None;
        }
        let diffs: Vec<usize> = (0..l.len()).filter(|&i| l[i] != r[i]).collect();
        match diffs.as_slice() {
            [i] if crate::plate::are_confusable(l[*i], r[*i]) => Some(HitKind::Approximate {
                position: *i,
                read_char: r[*i],
                listed_char: l[*i],
            }),
            _ => None,
        }
    }

    proptest::proptest! {
        #[test]
        fn whole_plates_agree_with_naive(
            listed in proptest::collection::vec("鲁Q[0O1I2Z58B3]{5}", 1..6),
            read in "鲁Q[0O1I2Z58B3]{5}",
        ) {
            let entries: Vec<WatchEntry> = listed
                .iter()
                .zip(0u64..)
                .map(|(p, i)| entry(i, p, Window::all()))
                .collect();
            let w = WatchList::new(entries);
            let got = w.matches_plate(&read, 0);
            let want: Vec<Hit> = listed
                .iter()
                .zip(0u64..)
                .filter_map(|(p, i)| naive(p, &read).map(|kind| Hit { entry_id: WatchEntryId(i), kind }))
                .collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
