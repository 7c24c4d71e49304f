//! Chinese licence plates: normalisation, validation, colour and type, OCR confusables.
//!
//! A plate goes through two steps. [`normalize`] is total and idempotent: it maps full-width
//! forms to half-width, drops spacing and separators (spaces, `.`, `-`, `·`) and upper-cases
//! ASCII letters; it never rejects anything. [`Plate::parse`] then validates the normalised
//! text against the shape of a mainland plate (province character, issuing-authority letter,
//! then 5 or 6 characters) and says precisely what is wrong when it does not fit.
//!
//! OCR confusions (`0/O/D/Q`, `1/I`, `8/B` …) are *recorded*, never fixed: a plate read as
//! `鲁Q8O123` stays `鲁Q8O123`, and [`Plate::confusions`] lists the positions whose character
//! could have been misread, with the alternatives. The watch-list matcher and the partial-plate
//! query use the same table ([`confusable_alternatives`]) to widen a match on request.
//!
//! What this module does not do: it does not guess a province from context, does not check
//! that a city letter belongs to the province, and does not map plates to owners.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Province (and special issuer) characters that may start a plate.
pub const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使";

/// Characters that may end a 7-character plate instead of a letter or digit
/// (trailer, coach, police, Hong Kong, Macau, consulate, test, over-size).
pub const SUFFIXES: &str = "挂学警港澳领试超";

/// Groups of characters that ANPR cameras mistake for one another. Every character of a group
/// is a possible misreading of every other character of the same group.
pub const CONFUSABLE_GROUPS: &[&[char]] = &[
    &['0', 'O', 'D', 'Q'],
    &['1', 'I'],
    &['2', 'Z'],
    &['4', 'A'],
    &['5', 'S'],
    &['6', 'G'],
    &['8', 'B'],
];

/// The characters a camera may have read instead of `c` (empty when `c` is not confusable).
pub fn confusable_alternatives(c: char) -> impl Iterator<Item = char> {
    CONFUSABLE_GROUPS
        .iter()
        .find(|g| g.contains(&c))
        .map(|g| g.iter().copied().filter(move |&x| x != c))
        .into_iter()
        .flatten()
}

/// Whether `a` and `b` are different characters of the same confusable group.
pub fn are_confusable(a: char, b: char) -> bool {
    a != b
        && CONFUSABLE_GROUPS
            .iter()
            .any(|g| g.contains(&a) && g.contains(&b))
}

/// Normalises recognised plate text: full-width to half-width, no spacing or separators
/// (space, `.`, `-`, `·`, `・`, `•`), ASCII upper case. Total and idempotent.
pub fn normalize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = match c {
            // Full-width ASCII block (U+FF01..U+FF5E) and the ideographic space.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
        if c.is_whitespace() || matches!(c, '.' | '-' | '·' | '・' | '•' | '\u{2027}') {
            continue;
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// What is wrong with a plate text, after normalisation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlateError {
    /// Nothing left after removing spacing and separators.
    #[error("plate is empty")]
    Empty,
    /// The first character is not a province (or special issuer) character.
    #[error("plate starts with {found:?}, not a province character")]
    UnknownProvince {
        /// The offending character.
        found: char,
    },
    /// The second character is not an ASCII letter (the issuing authority).
    #[error("plate's second character {found:?} is not an issuing-authority letter A-Z")]
    BadAuthority {
        /// The offending character.
        found: char,
    },
    /// Plates have 7 characters (8 for new-energy vehicles).
    #[error("plate has {len} characters; expected 7, or 8 for new-energy plates")]
    BadLength {
        /// Number of characters after normalisation.
        len: usize,
    },
    /// A serial character is neither an ASCII letter nor a digit (nor an allowed suffix).
    #[error("plate character {found:?} at position {position} is not allowed there")]
    BadChar {
        /// 0-based character position in the normalised plate.
        position: usize,
        /// The offending character.
        found: char,
    },
}

/// The shape of a valid plate, derived from its characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PlateShape {
    /// Province, letter, five letters or digits.
    Standard,
    /// Province, letter, four letters or digits, then a suffix such as 挂 or 警.
    Special(char),
    /// 8 characters with `D`/`F` right after the authority letter (small new-energy vehicle).
    NewEnergySmall,
    /// 8 characters ending in `D`/`F` (large new-energy vehicle).
    NewEnergyLarge,
    /// 8 characters that fit neither new-energy layout: often a misread, kept as read.
    NewEnergyIrregular,
}

/// A possibly misread character of a plate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// 0-based character position in the plate.
    pub position: usize,
    /// The character as read.
    pub read: char,
    /// What the camera may have seen instead.
    pub alternatives: Vec<char>,
}

/// How a read's plate text stands against the plate rules. A read that happened is stored
/// whatever its plate says; this flag tells a misread from a plate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlateStatus {
    /// A plate by the rules.
    Valid,
    /// Text that breaks a rule (often one misread character, e.g. `鲁034593` for `鲁Q34593`).
    Invalid,
    /// The device said it could not read a plate (`无牌`, `未识别`, `UNKNOWN`, …).
    Unreadable,
}

impl PlateStatus {
    /// The status of normalised plate text.
    pub fn of(normalised: &str) -> Self {
        if validate(normalised).is_ok() {
            Self::Valid
        } else if UNREADABLE.contains(&normalised)
            || normalised.chars().all(|c| c == '?' || c == '*')
        {
            Self::Unreadable
        } else {
            Self::Invalid
        }
    }

    /// The name answers carry.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Invalid => "invalid",
            Self::Unreadable => "unreadable",
        }
    }
}

/// What devices send when they saw a vehicle but read no plate (after normalisation).
const UNREADABLE: &[&str] = &[
    "无牌",
    "无车牌",
    "未识别",
    "无法识别",
    "识别失败",
    "未知",
    "车牌",
    "无",
    "UNKNOWN",
    "NONE",
    "NOPLATE",
    "NA",
    "N/A",
    "NULL",
];

/// A normalised plate: validated ([`Plate::parse`]) or as read ([`Plate::as_read`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Plate(String);

impl Plate {
    /// Normalises and validates recognised text.
    pub fn parse(raw: &str) -> Result<Self, PlateError> {
        let s = normalize(raw);
        validate(&s)?;
        Ok(Self(s))
    }

    /// Normalises recognised text and keeps it whether or not it is a valid plate: a read that
    /// happened is stored with what the camera read ([`Plate::status`] tells which). Refused
    /// only when nothing is left.
    pub fn as_read(raw: &str) -> Result<Self, PlateError> {
        let s = normalize(raw);
        if s.is_empty() {
            return Err(PlateError::Empty);
        }
        Ok(Self(s))
    }

    /// Whether the text is a valid plate, a misread or no plate at all.
    pub fn status(&self) -> PlateStatus {
        PlateStatus::of(&self.0)
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shape (of a misread plate, the shape it is closest to).
    pub fn shape(&self) -> PlateShape {
        shape_of(&self.0)
    }

    /// Positions whose character is OCR-confusable (the province character is never listed).
    pub fn confusions(&self) -> Vec<Confusion> {
        self.0
            .chars()
            .enumerate()
            .skip(1)
            .filter_map(|(position, read)| {
                let alternatives: Vec<char> = confusable_alternatives(read).collect();
                (!alternatives.is_empty()).then_some(Confusion {
                    position,
                    read,
                    alternatives,
                })
            })
            .collect()
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Plate {
    type Error = PlateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Plate> for String {
    fn from(p: Plate) -> Self {
        p.0
    }
}

fn validate(s: &str) -> Result<(), PlateError> {
    let chars: Vec<char> = s.chars().collect();
    let first = *chars.first().ok_or(PlateError::Empty)?;
    if !PROVINCES.contains(first) {
        return Err(PlateError::UnknownProvince { found: first });
    }
    match chars.get(1) {
        Some(c) if c.is_ascii_uppercase() => {}
        Some(&c) => return Err(PlateError::BadAuthority { found: c }),
        None => return Err(PlateError::BadLength { len: 1 }),
    }
    let len = chars.len();
    if len != 7 && len != 8 {
        return Err(PlateError::BadLength { len });
    }
    for (position, &c) in chars.iter().enumerate().skip(2) {
        let suffix_ok = len == 7 && position == 6 && SUFFIXES.contains(c);
        if !(c.is_ascii_uppercase() || c.is_ascii_digit() || suffix_ok) {
            return Err(PlateError::BadChar { position, found: c });
        }
    }
    Ok(())
}

fn shape_of(s: &str) -> PlateShape {
    let chars: Vec<char> = s.chars().collect();
    let is_df = |c: Option<&char>| matches!(c, Some('D' | 'F'));
    match chars.len() {
        8 if is_df(chars.get(2)) => PlateShape::NewEnergySmall,
        8 if is_df(chars.get(7)) => PlateShape::NewEnergyLarge,
        8 => PlateShape::NewEnergyIrregular,
        _ => match chars.last() {
            Some(&c) if SUFFIXES.contains(c) => PlateShape::Special(c),
            _ => PlateShape::Standard,
        },
    }
}

/// Plate background colour as reported by the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlateColour {
    /// 蓝牌: small private vehicles.
    Blue,
    /// 黄牌: large vehicles, coaches.
    Yellow,
    /// 绿牌: new-energy vehicles.
    Green,
    /// 白牌: police, military.
    White,
    /// 黑牌: foreign, Hong Kong and Macau vehicles.
    Black,
}

impl PlateColour {
    /// All colours, in code order (code = index + 1).
    pub const ALL: [Self; 5] = [
        Self::Blue,
        Self::Yellow,
        Self::Green,
        Self::White,
        Self::Black,
    ];

    /// Parses English names, Chinese names (蓝, 蓝色, 蓝牌) and the codes 1–5, any case.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim().to_ascii_lowercase();
        let t = t.trim_end_matches('牌').trim_end_matches('色');
        Some(match t {
            "blue" | "蓝" | "1" => Self::Blue,
            "yellow" | "黄" | "2" => Self::Yellow,
            "green" | "绿" | "3" => Self::Green,
            "white" | "白" | "4" => Self::White,
            "black" | "黑" | "5" => Self::Black,
            _ => return None,
        })
    }

    /// Small code 1–5 (0 is reserved for "unknown" in compact storage).
    pub fn code(self) -> u8 {
        match self {
            Self::Blue => 1,
            Self::Yellow => 2,
            Self::Green => 3,
            Self::White => 4,
            Self::Black => 5,
        }
    }

    /// Inverse of [`PlateColour::code`].
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }

    /// English lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Blue => "blue",
            Self::Yellow => "yellow",
            Self::Green => "green",
            Self::White => "white",
            Self::Black => "black",
        }
    }
}

/// Plate type (号牌种类), by its two-digit GA 24.7 code; unknown codes are kept as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlateType(u8);

impl PlateType {
    /// 01 大型汽车.
    pub const LARGE: Self = Self(1);
    /// 02 小型汽车.
    pub const SMALL: Self = Self(2);
    /// 06 外籍汽车.
    pub const FOREIGN: Self = Self(6);
    /// 15 挂车.
    pub const TRAILER: Self = Self(15);
    /// 16 教练汽车.
    pub const COACH: Self = Self(16);
    /// 23 警用汽车.
    pub const POLICE: Self = Self(23);
    /// 51 大型新能源汽车.
    pub const NEW_ENERGY_LARGE: Self = Self(51);
    /// 52 小型新能源汽车.
    pub const NEW_ENERGY_SMALL: Self = Self(52);

    /// Parses a one- or two-digit code (`"2"`, `"02"`, `"52"`); 0 and values above 99 are invalid.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u8 = t.parse().ok()?;
        (v > 0).then_some(Self(v))
    }

    /// Builds a type from its code (1–99).
    pub fn from_code(code: u8) -> Option<Self> {
        (1..=99).contains(&code).then_some(Self(code))
    }

    /// The numeric code.
    pub fn code(self) -> u8 {
        self.0
    }
}

impl fmt::Display for PlateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_full_width_spacing_and_case() {
        assert_eq!(normalize(" 鲁ｑ·１２ab-3 "), "鲁Q12AB3");
        assert_eq!(normalize("京A.12345"), "京A12345");
        assert_eq!(normalize("粤B\u{3000}D12345"), "粤BD12345");
    }

    #[test]
    fn parses_valid_plates_and_shapes() {
        assert_eq!(
            Plate::parse("鲁Q12345").map(|p| p.shape()),
            Ok(PlateShape::Standard)
        );
        assert_eq!(
            Plate::parse("鲁QD12345").map(|p| p.shape()),
            Ok(PlateShape::NewEnergySmall)
        );
        assert_eq!(
            Plate::parse("鲁Q12345F").map(|p| p.shape()),
            Ok(PlateShape::NewEnergyLarge)
        );
        assert_eq!(
            Plate::parse("鲁Q1234挂").map(|p| p.shape()),
            Ok(PlateShape::Special('挂'))
        );
        assert_eq!(
            Plate::parse("鲁Q512345").map(|p| p.shape()),
            Ok(PlateShape::NewEnergyIrregular)
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(Plate::parse(" - "), Err(PlateError::Empty));
        assert_eq!(
            Plate::parse("X Q12345"),
            Err(PlateError::UnknownProvince { found: 'X' })
        );
        assert_eq!(
            Plate::parse("鲁112345"),
            Err(PlateError::BadAuthority { found: '1' })
        );
        assert_eq!(
            Plate::parse("鲁Q1234"),
            Err(PlateError::BadLength { len: 6 })
        );
        assert_eq!(
            Plate::parse("鲁Q12#45"),
            Err(PlateError::BadChar {
                position: 4,
                found: '#'
            })
        );
        assert_eq!(
            Plate::parse("鲁Q123挂5"),
            Err(PlateError::BadChar {
                position: 5,
                found: '挂'
            })
        );
    }

    #[test]
    fn confusions_are_recorded_not_fixed() {
        let p = Plate::parse("鲁Q8O12I").expect("valid");
        assert_eq!(p.as_str(), "鲁Q8O12I");
        let pos: Vec<usize> = p.confusions().iter().map(|c| c.position).collect();
        assert_eq!(pos, vec![1, 2, 3, 4, 5, 6]);
        assert!(are_confusable('0', 'D'));
        assert!(!are_confusable('0', '0'));
        assert!(!are_confusable('0', '1'));
        assert_eq!(confusable_alternatives('3').count(), 0);
    }

    #[test]
    fn colour_and_type_parse() {
        assert_eq!(PlateColour::parse("蓝牌"), Some(PlateColour::Blue));
        assert_eq!(PlateColour::parse("GREEN"), Some(PlateColour::Green));
        assert_eq!(PlateColour::parse("紫"), None);
        for c in PlateColour::ALL {
            assert_eq!(PlateColour::from_code(c.code()), Some(c));
        }
        assert_eq!(PlateColour::from_code(0), None);
        assert_eq!(PlateType::parse("02"), Some(PlateType::SMALL));
        assert_eq!(PlateType::parse("52"), Some(PlateType::NEW_ENERGY_SMALL));
        assert_eq!(PlateType::parse("0"), None);
        assert_eq!(PlateType::parse("123"), None);
        assert_eq!(PlateType::SMALL.to_string(), "02");
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in any::<String>()) {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }

        #[test]
        fn parse_never_panics_and_is_stable(s in any::<String>()) {
            if let Ok(p) = Plate::parse(&s) {
                prop_assert_eq!(Plate::parse(p.as_str()), Ok(p.clone()));
                let _ = p.confusions();
                let _ = p.shape();
            }
        }

        #[test]
        fn a_read_keeps_any_text_and_flags_it(s in any::<String>()) {
            match Plate::as_read(&s) {
                Ok(p) => {
                    prop_assert_eq!(p.as_str(), normalize(&s));
                    prop_assert_eq!(p.status() == PlateStatus::Valid, Plate::parse(&s).is_ok());
                    prop_assert_eq!(Plate::as_read(p.as_str()), Ok(p.clone()));
                    let _ = p.confusions();
                    let _ = p.shape();
                }
                Err(e) => {
                    prop_assert_eq!(e, PlateError::Empty);
                    prop_assert!(normalize(&s).is_empty());
                }
            }
        }

        #[test]
        fn plate_like_strings_normalise(prov in "[鲁京粤]", rest in "[a-zA-Z0-9 ·.-]{0,12}") {
            let s = format!("{prov}{rest}");
            let n = normalize(&s);
            prop_assert!(n.chars().all(|c| !c.is_whitespace() && c != '-' && c != '.' && c != '·'));
            prop_assert!(!n.chars().any(|c| c.is_ascii_lowercase()));
        }
    }
}
