//! Time arithmetic on UTC microseconds, for a district that keeps China Standard Time (UTC+8,
//! no daylight saving). Nothing here reads a clock: every instant is derived from the `start_day`
//! the caller passes in.

/// One second in microseconds.
pub const SECOND: i64 = 1_000_000;
/// One minute in microseconds.
pub const MINUTE: i64 = 60 * SECOND;
/// One hour in microseconds.
pub const HOUR: i64 = 60 * MINUTE;
/// One day in microseconds.
pub const DAY: i64 = 24 * HOUR;
/// The district's offset from UTC (China Standard Time).
pub const LOCAL_OFFSET: i64 = 8 * HOUR;

/// 2015-06-10 00:00 local time (2015-06-09T16:00:00Z): the default end of the history, which puts
/// the report's May stories inside it with their real calendar dates.
pub const DEFAULT_START_DAY: i64 = 1_433_865_600 * SECOND;

/// The local hour of day (0–23) of an instant.
pub fn local_hour(t: i64) -> u32 {
    // rem_euclid keeps instants before 1970 correct; the result is always in 0..24.
    u32::try_from((t + LOCAL_OFFSET).rem_euclid(DAY) / HOUR).unwrap_or(0)
}

/// The local day number (days since 1970-01-01 in local time) of an instant.
pub fn local_day_number(t: i64) -> i64 {
    (t + LOCAL_OFFSET).div_euclid(DAY)
}

/// Day of week of an instant, 0 = Monday … 6 = Sunday.
pub fn weekday(t: i64) -> u32 {
    // 1970-01-01 was a Thursday (index 3).
    u32::try_from((local_day_number(t) + 3).rem_euclid(7)).unwrap_or(0)
}

/// The local calendar date `(year, month, day)` of an instant (proleptic Gregorian).
pub fn local_date(t: i64) -> (i64, u32, u32) {
    civil_from_days(local_day_number(t))
}

/// Howard Hinnant's `civil_from_days`: a day number since 1970-01-01 to a calendar date.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// Whether an instant falls on a weekend day.
pub fn is_weekend(t: i64) -> bool {
    weekday(t) >= 5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_start_day_is_local_midnight_of_10_june_2015() {
        assert_eq!(local_date(DEFAULT_START_DAY), (2015, 6, 10));
        assert_eq!(local_hour(DEFAULT_START_DAY), 0);
        // 10 June 2015 was a Wednesday.
        assert_eq!(weekday(DEFAULT_START_DAY), 2);
        assert_eq!(local_date(DEFAULT_START_DAY - 33 * DAY), (2015, 5, 8));
    }
}
