//! Tactics: what an officer does at a stop besides being seen there. The district chooses which
//! of the catalogue its officers use (setting `patrol_tactics`); each stop of a published plan
//! carries the ones suggested for it — from why the place is in the plan and the hour — and the
//! officer records those used.

use crate::domain::records::SpotWhy;

/// Every tactic pingan knows, with words for them on the page.
pub const CATALOGUE: &[&str] = &[
    "visible_presence",
    "talk_to_shopkeepers",
    "check_parked_ebikes",
    "night_walk_route",
    "check_key_place",
    "traffic_stop_point",
];

/// Most tactics suggested for one stop.
pub const MAX_SUGGESTED: usize = 3;

/// Checks a district's list: known codes, no repeats, at least one. The error names the entry.
pub fn check_list(list: &[String]) -> Result<(), String> {
    if list.is_empty() {
        return Err("patrol_tactics: name at least one tactic".into());
    }
    for (i, t) in list.iter().enumerate() {
        if !CATALOGUE.contains(&t.as_str()) {
            return Err(format!(
                "patrol_tactics[{i}]: {t:?} is not one of {}",
                CATALOGUE.join(", ")
            ));
        }
        if list[..i].contains(t) {
            return Err(format!("patrol_tactics[{i}]: {t} is named twice"));
        }
    }
    Ok(())
}

/// The tactics suggested for a stop, most fitting first, from those the district uses: e-bike
/// and bicycle thefts → check parked e-bikes; a key place or shops' thefts and frauds → talk to
/// shop-keepers, check the key place; a stop in the evening or at night → the night-walk route;
/// traffic incidents → a traffic check point; and visible presence everywhere.
pub fn suggest(why: &SpotWhy, local_hour: u32, available: &[String]) -> Vec<String> {
    let has = |prefix: &str| why.top_types.iter().any(|(t, _)| t.starts_with(prefix));
    let mut wanted: Vec<&str> = Vec::new();
    if has("theft.bicycle") || has("theft.ebike") {
        wanted.push("check_parked_ebikes");
    }
    if why.source == "key_place" {
        wanted.push("check_key_place");
    }
    if why.source == "key_place" || has("theft.shop") || has("fraud") {
        wanted.push("talk_to_shopkeepers");
    }
    if !(6..19).contains(&local_hour) {
        wanted.push("night_walk_route");
    }
    if has("traffic") {
        wanted.push("traffic_stop_point");
    }
    wanted.push("visible_presence");
    let mut out: Vec<String> = Vec::new();
    for w in wanted {
        if available.iter().any(|a| a == w) && !out.iter().any(|o| o == w) {
            out.push(w.to_owned());
        }
    }
    if out.is_empty() {
        out.extend(available.first().cloned());
    }
    out.truncate(MAX_SUGGESTED);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(source: &str, types: &[&str]) -> SpotWhy {
        SpotWhy {
            source: source.into(),
            incidents: 3,
            z: None,
            class: None,
            top_types: types.iter().map(|t| ((*t).to_owned(), 1)).collect(),
        }
    }

    fn all() -> Vec<String> {
        CATALOGUE.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn suggestions_follow_the_place_and_the_hour() {
        let bikes = suggest(&why("hot_cell", &["theft.bicycle"]), 10, &all());
        assert_eq!(bikes, vec!["check_parked_ebikes", "visible_presence"]);
        let market_at_night = suggest(&why("key_place", &[]), 22, &all());
        assert_eq!(
            market_at_night,
            vec!["check_key_place", "talk_to_shopkeepers", "night_walk_route"]
        );
        // Only what the district uses; never nothing.
        let only = vec!["visible_presence".to_owned()];
        assert_eq!(
            suggest(&why("key_place", &["theft.bicycle"]), 3, &only),
            only
        );
        let other = vec!["traffic_stop_point".to_owned()];
        assert_eq!(suggest(&why("added", &[]), 12, &other), other);
    }

    #[test]
    fn a_district_s_list_is_checked_by_entry() {
        assert!(check_list(&all()).is_ok());
        assert!(check_list(&[]).is_err());
        let err = check_list(&["visible_presence".into(), "karaoke".into()]).unwrap_err();
        assert!(err.starts_with("patrol_tactics[1]"), "{err}");
        let err = check_list(&["visible_presence".into(), "visible_presence".into()]).unwrap_err();
        assert!(err.contains("twice"), "{err}");
    }
}
