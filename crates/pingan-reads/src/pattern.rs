//! Partial-plate patterns: `?` is one unknown character, `*` any run (possibly empty).
//!
//! The SQL spellings `_` and `%` are accepted as synonyms, so a `LIKE` pattern can be passed as
//! is. A pattern is normalised like a plate (full-width forms, spacing, case) and always matches
//! the whole plate. Matching can optionally widen every literal character to its OCR-confusable
//! group ([`crate::plate::CONFUSABLE_GROUPS`]); [`PlatePattern::match_one_substitution`] reports
//! the single confusable substitution that the watch-list calls an approximate hit.

use crate::plate::{are_confusable, confusable_alternatives, normalize, PROVINCES};

/// Longest pattern accepted, in characters (plates have 7–8).
pub const MAX_PATTERN_CHARS: usize = 16;

/// Why a pattern was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Nothing left after normalisation.
    #[error("pattern is empty")]
    Empty,
    /// More than [`MAX_PATTERN_CHARS`] characters.
    #[error("pattern has {len} characters; at most {MAX_PATTERN_CHARS} allowed")]
    TooLong {
        /// Character count after normalisation.
        len: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Any,
    Star,
    Lit(char),
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatePattern {
    text: String,
    tokens: Vec<Token>,
    has_star: bool,
    /// Leading literal characters as UTF-8, for a byte-level pre-check when not expanding.
    prefix: String,
}

/// A single substitution that makes a plate match: the plate read `read_char` where the pattern
/// (or listed plate) has `listed_char`, at character `position` of the plate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Substitution {
    /// 0-based character position in the plate that was read.
    pub position: usize,
    /// The character in the read.
    pub read_char: char,
    /// The character in the pattern or listed plate.
    pub listed_char: char,
}

impl PlatePattern {
    /// Compiles a pattern.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let norm = normalize(text);
        let tokens: Vec<Token> = norm
            .chars()
            .map(|c| match c {
                '?' | '_' => Token::Any,
                '*' | '%' => Token::Star,
                c => Token::Lit(c),
            })
            .collect();
        if tokens.is_empty() {
            return Err(PatternError::Empty);
        }
        if tokens.len() > MAX_PATTERN_CHARS {
            return Err(PatternError::TooLong { len: tokens.len() });
        }
        let prefix = tokens
            .iter()
            .map_while(|t| match t {
                Token::Lit(c) => Some(*c),
                _ => None,
            })
            .collect();
        Ok(Self {
            text: norm,
            has_star: tokens.contains(&Token::Star),
            tokens,
            prefix,
        })
    }

    /// The normalised pattern text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern has no wildcard (it is a whole plate).
    pub fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Lit(_)))
    }

    /// Whether `plate` matches; with `expand`, each literal also matches its confusables.
    pub fn matches(&self, plate: &str, expand: bool) -> bool {
        if !expand && !plate.starts_with(self.prefix.as_str()) {
            return false;
        }
        let mut buf = ['\0'; MAX_PATTERN_CHARS * 2];
        let mut n = 0;
        for c in plate.chars() {
            match buf.get_mut(n) {
                Some(slot) => *slot = c,
                // Longer than any pattern could match without a star; use the slow path.
                None => return self.matches_slow(plate, expand),
            }
            n += 1;
        }
        let chars = &buf[..n];
        if !self.has_star {
            return chars.len() == self.tokens.len()
                && self
                    .tokens
                    .iter()
                    .zip(chars)
                    .all(|(t, &c)| tok_eq(*t, c, expand));
        }
        matches_rec(&self.tokens, chars, expand)
    }

    fn matches_slow(&self, plate: &str, expand: bool) -> bool {
        let chars: Vec<char> = plate.chars().collect();
        matches_rec(&self.tokens, &chars, expand)
    }

    /// When the plate does not match exactly but matches with exactly one literal character
    /// replaced by a confusable one, that substitution (the leftmost, if several alignments
    /// exist).
    pub fn match_one_substitution(&self, plate: &str) -> Option<Substitution> {
        let chars: Vec<char> = plate.chars().collect();
        if matches_rec(&self.tokens, &chars, false) {
            return None;
        }
        one_sub(&self.tokens, &chars)
    }
}

/// A fixed-size signature of a plate for fast dictionary scans: `head` packs the province code
/// (1-based index in [`PROVINCES`]) and the character count; `body` holds characters 1–7 as
/// ASCII bytes. Plates that do not fit (no known province, a non-ASCII character after the
/// first, more than 8 characters) get `head == 0` and are always checked by the full matcher.
pub(crate) fn plate_signature(plate: &str) -> (u16, u64) {
    let mut chars = plate.chars();
    let Some(first) = chars.next() else {
        return (0, 0);
    };
    let Some(code) = province_code(first) else {
        return (0, 0);
    };
    let mut body = 0u64;
    let mut len = 1u16;
    for (i, c) in chars.enumerate() {
        if i >= 7 || !c.is_ascii() {
            return (0, 0);
        }
        body |= u64::from(c as u8) << (8 * i);
        len += 1;
    }
    (u16::from(code) | (len << 8), body)
}

fn province_code(c: char) -> Option<u8> {
    PROVINCES
        .chars()
        .position(|p| p == c)
        .and_then(|i| u8::try_from(i + 1).ok())
}

/// A necessary condition on signatures derived from a pattern: regular plates that fail it
/// cannot match, those that pass are confirmed with [`PlatePattern::matches`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SignatureFilter {
    /// Required province code, if the first token is a literal.
    province: Option<u8>,
    /// Required character count (exact without a star, minimum with one).
    len: u16,
    exact_len: bool,
    mask: u64,
    value: u64,
    /// No regular plate can match (a non-ASCII literal after the first position, or a pattern
    /// longer than 8 fixed characters).
    none: bool,
}

impl SignatureFilter {
    /// Whether a plate with this signature may match.
    #[inline]
    pub(crate) fn may_match(&self, head: u16, body: u64) -> bool {
        if head == 0 {
            return true;
        }
        if self.none {
            return false;
        }
        let len = head >> 8;
        let len_ok = if self.exact_len {
            len == self.len
        } else {
            len >= self.len
        };
        let code = u8::try_from(head & 0xFF).unwrap_or(0);
        len_ok && self.province.is_none_or(|p| p == code) && body & self.mask == self.value
    }
}

impl PlatePattern {
    /// The signature filter of this pattern (positions before the first star are fixed).
    pub(crate) fn signature_filter(&self, expand: bool) -> SignatureFilter {
        let fixed = self.tokens.iter().filter(|t| **t != Token::Star).count();
        let mut f = SignatureFilter {
            province: None,
            len: u16::try_from(fixed).unwrap_or(u16::MAX),
            exact_len: !self.has_star,
            mask: 0,
            value: 0,
            none: fixed > 8,
        };
        for (i, t) in self.tokens.iter().enumerate() {
            let c = match t {
                Token::Star => break,
                Token::Any => continue,
                Token::Lit(c) => *c,
            };
            if i == 0 {
                // A literal first character that is no province only matches irregular plates.
                match province_code(c) {
                    Some(code) => f.province = Some(code),
                    None => f.none = true,
                }
                continue;
            }
            if !c.is_ascii() || i > 7 {
                f.none |= !c.is_ascii();
                continue;
            }
            if expand && confusable_alternatives(c).next().is_some() {
                continue;
            }
            f.mask |= 0xFF << (8 * (i - 1));
            f.value |= u64::from(c as u8) << (8 * (i - 1));
        }
        f
    }
}

#[inline]
fn tok_eq(t: Token, c: char, expand: bool) -> bool {
    match t {
        Token::Any => true,
        Token::Star => false,
        Token::Lit(l) => l == c || (expand && are_confusable(l, c)),
    }
}

/// Glob matching with the classic two-pointer scan: linear in practice, `O(n·m)` at worst,
/// never exponential whatever the number of stars.
fn matches_rec(tokens: &[Token], chars: &[char], expand: bool) -> bool {
    let (mut ti, mut ci) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ci < chars.len() {
        match tokens.get(ti) {
            Some(Token::Star) => {
                star = Some((ti, ci));
                ti += 1;
            }
            Some(&t) if tok_eq(t, chars[ci], expand) => {
                ti += 1;
                ci += 1;
            }
            _ => match star {
                Some((st, sc)) => {
                    ti = st + 1;
                    ci = sc + 1;
                    star = Some((st, sc + 1));
                }
                None => return false,
            },
        }
    }
    tokens[ti.min(tokens.len())..]
        .iter()
        .all(|t| *t == Token::Star)
}

/// The leftmost single confusable substitution that makes `chars` match. Replacing the read
/// character at `i` by an alternative `a` and matching exactly is equivalent to an alignment
/// where a literal `a` meets the read character: had a wildcard covered position `i`, the
/// original plate would already match exactly, which the caller has ruled out.
fn one_sub(tokens: &[Token], chars: &[char]) -> Option<Substitution> {
    let mut work = chars.to_vec();
    for (i, &c) in chars.iter().enumerate() {
        for a in confusable_alternatives(c) {
            work[i] = a;
            if matches_rec(tokens, &work, false) {
                return Some(Substitution {
                    position: i,
                    read_char: c,
                    listed_char: a,
                });
            }
        }
        work[i] = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> PlatePattern {
        PlatePattern::parse(s).expect("valid pattern")
    }

    #[test]
    fn question_mark_and_star() {
        assert!(p("鲁Q?23?5").matches("鲁Q123A5", false));
        assert!(!p("鲁Q?23?5").matches("鲁Q123A55", false));
        assert!(p("鲁Q_23_5").matches("鲁Q923B5", false));
        assert!(p("*23*").matches("鲁Q12345", false));
        assert!(p("鲁*5").matches("鲁Q5", false));
        assert!(p("鲁Q%").matches("鲁Q", false));
        assert!(!p("鲁Q*6").matches("鲁Q12345", false));
        assert!(p("鲁q 12-345").matches("鲁Q12345", false));
    }

    #[test]
    fn expansion_widens_literals_only() {
        assert!(!p("鲁Q?23?5").matches("鲁Q1Z3A5", false));
        assert!(p("鲁Q?23?5").matches("鲁Q1Z3AS", true));
        assert!(p("鲁0?23?5").matches("鲁D12345", true));
        assert!(!p("鲁Q?23?5").matches("鲁Q1X3A5", true));
    }

    #[test]
    fn one_substitution_is_reported() {
        let s = p("鲁Q12345").match_one_substitution("鲁Q1Z345");
        assert_eq!(
            s,
            Some(Substitution {
                position: 3,
                read_char: 'Z',
                listed_char: '2'
            })
        );
        assert_eq!(p("鲁Q12345").match_one_substitution("鲁Q12345"), None);
        assert_eq!(p("鲁Q12345").match_one_substitution("鲁Q1Z3S5"), None);
        assert_eq!(p("鲁Q12345").match_one_substitution("鲁Q1X345"), None);
        let s = p("鲁Q*8").match_one_substitution("鲁Q123B");
        assert_eq!(s.map(|s| s.position), Some(5));
    }

    #[test]
    fn rejects_empty_and_long() {
        assert_eq!(PlatePattern::parse(" · "), Err(PatternError::Empty));
        assert!(matches!(
            PlatePattern::parse("12345678901234567"),
            Err(PatternError::TooLong { .. })
        ));
    }

    /// The reference: SQL LIKE semantics on characters, written as a dynamic programme.
    fn like(pat: &[char], s: &[char]) -> bool {
        let mut dp = vec![vec![false; s.len() + 1]; pat.len() + 1];
        dp[0][0] = true;
        for i in 1..=pat.len() {
            dp[i][0] = dp[i - 1][0] && pat[i - 1] == '*';
            for j in 1..=s.len() {
                dp[i][j] = match pat[i - 1] {
                    '*' => dp[i - 1][j] || dp[i][j - 1],
                    '?' => dp[i - 1][j - 1],
                    c => c == s[j - 1] && dp[i - 1][j - 1],
                };
            }
        }
        dp[pat.len()][s.len()]
    }

    proptest! {
        #[test]
        fn signature_filter_never_rejects_a_match(
            pat in "[鲁京QA12O0?*]{1,9}", s in "[鲁京QA12O0挂]{0,10}", expand in any::<bool>()
        ) {
            let compiled = p(&pat);
            let (head, body) = plate_signature(&s);
            if compiled.matches(&s, expand) {
                prop_assert!(compiled.signature_filter(expand).may_match(head, body));
            }
        }

        #[test]
        fn agrees_with_dp_reference(pat in "[鲁Q12?*]{1,8}", s in "[鲁Q12]{0,10}") {
            let compiled = p(&pat);
            let pc: Vec<char> = pat.chars().collect();
            let sc: Vec<char> = s.chars().collect();
            prop_assert_eq!(compiled.matches(&s, false), like(&pc, &sc));
        }

        #[test]
        fn never_panics(pat in any::<String>(), s in any::<String>()) {
            if let Ok(c) = PlatePattern::parse(&pat) {
                let _ = c.matches(&s, true);
                let _ = c.matches(&s, false);
                let _ = c.match_one_substitution(&s);
            }
        }
    }
}
