//! Business calendars: when is the organisation at work, in its own time zone.
//!
//! SLA deadlines (TL-8: "a detailed answer within 3 days") count business time only. A calendar is
//! an IANA time zone, a week of working periods (several per day, e.g. a lunch break) and a list of
//! holidays. Business time is real elapsed time inside those periods, so a period that spans a
//! daylight-saving change counts the hours that actually passed (02:00–06:00 on the spring-forward
//! night is 3 hours of work, not 4).
//!
//! Zones come from the tz database bundled into the binary, never from the host, so a deadline is
//! the same on every machine and computing one reads no file.

use std::collections::BTreeSet;
use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// The calendar as written in a configuration file (TOML or JSON):
///
/// ```toml
/// time_zone = "Europe/Bucharest"
/// holidays = ["2026-12-25", "2026-12-26"]
/// [hours]
/// monday = ["09:00-13:00", "14:00-17:30"]
/// friday = ["09:00-15:00"]
/// ```
///
/// It is only data: [`BusinessCalendar::from_config`] validates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// IANA name, e.g. "Europe/Athens", "Asia/Manila", "UTC".
    pub time_zone: String,
    #[serde(default)]
    pub hours: WeeklyHours,
    /// Whole days off, as local dates in `time_zone`.
    #[serde(default)]
    pub holidays: Vec<Date>,
}

/// Working periods per weekday, each `"HH:MM-HH:MM"`; `24:00` may end a period. A weekday that is
/// left out is a day off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeeklyHours {
    pub monday: Vec<String>,
    pub tuesday: Vec<String>,
    pub wednesday: Vec<String>,
    pub thursday: Vec<String>,
    pub friday: Vec<String>,
    pub saturday: Vec<String>,
    pub sunday: Vec<String>,
}

impl WeeklyHours {
    fn days(&self) -> [(Weekday, &[String]); 7] {
        [
            (Weekday::Monday, &self.monday),
            (Weekday::Tuesday, &self.tuesday),
            (Weekday::Wednesday, &self.wednesday),
            (Weekday::Thursday, &self.thursday),
            (Weekday::Friday, &self.friday),
            (Weekday::Saturday, &self.saturday),
            (Weekday::Sunday, &self.sunday),
        ]
    }
}

impl Default for CalendarConfig {
    /// Monday to Friday, 09:00–17:00 UTC, no holidays: a neutral start that a deployment overrides.
    fn default() -> Self {
        let office = || vec!["09:00-17:00".to_owned()];
        CalendarConfig {
            time_zone: "UTC".to_owned(),
            hours: WeeklyHours {
                monday: office(),
                tuesday: office(),
                wednesday: office(),
                thursday: office(),
                friday: office(),
                ..WeeklyHours::default()
            },
            holidays: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("unknown time zone {name:?}: expected an IANA name such as \"Europe/Bucharest\"")]
    UnknownTimeZone { name: String },
    #[error("hours.{weekday}: {period:?} is not a period \"HH:MM-HH:MM\": {reason}")]
    MalformedPeriod {
        weekday: WeekdayName,
        period: String,
        reason: &'static str,
    },
    #[error("hours.{weekday}: period {period:?} ends before it starts (or is empty)")]
    EndBeforeStart {
        weekday: WeekdayName,
        period: String,
    },
    #[error("hours.{weekday}: periods {first:?} and {second:?} overlap")]
    OverlappingPeriods {
        weekday: WeekdayName,
        first: String,
        second: String,
    },
    #[error("the calendar has no working hours: give at least one weekday a period")]
    NoWorkingHours,
    #[error("a business duration cannot be negative (got {duration})")]
    NegativeDuration { duration: SignedDuration },
    #[error("the result falls outside the supported date range")]
    OutOfRange,
}

/// A weekday as it is spelled in the configuration, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekdayName(pub Weekday);

impl fmt::Display for WeekdayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        })
    }
}

const MINUTES_PER_DAY: u16 = 24 * 60;

/// One working period of a day, in minutes since local midnight; `end` may be 1440 (24:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Period {
    start: u16,
    end: u16,
}

/// A validated business calendar. Build it with [`BusinessCalendar::from_config`].
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    zone: TimeZone,
    /// Indexed by `Weekday::to_monday_zero_offset`; sorted, non-overlapping.
    week: [Vec<Period>; 7],
    holidays: BTreeSet<Date>,
}

impl BusinessCalendar {
    pub fn from_config(config: &CalendarConfig) -> Result<Self, CalendarError> {
        let zone = resolve_time_zone(&config.time_zone)?;
        let mut week: [Vec<Period>; 7] = Default::default();
        for (weekday, texts) in config.hours.days() {
            week[day_index(weekday)] = parse_day(WeekdayName(weekday), texts)?;
        }
        if week.iter().all(Vec::is_empty) {
            return Err(CalendarError::NoWorkingHours);
        }
        Ok(BusinessCalendar {
            zone,
            week,
            holidays: config.holidays.iter().copied().collect(),
        })
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.zone
    }

    /// Whether `date` (local to the calendar) has any working period.
    pub fn is_working_day(&self, date: Date) -> bool {
        !self.holidays.contains(&date) && !self.week[day_index(date.weekday())].is_empty()
    }

    /// Whether the organisation is at work at instant `at`.
    pub fn is_business_time(&self, at: Timestamp) -> bool {
        self.intervals_from(at)
            .next()
            .is_some_and(|(start, _)| start == at)
    }

    /// The earliest instant at which `duration` of business time has passed since `start`.
    /// A zero duration gives `start` itself, even outside working hours ("at once").
    /// When the business time runs out exactly at the end of a period, that end is the answer
    /// (17:00 on the day, not 09:00 the next morning).
    pub fn add_business_duration(
        &self,
        start: Timestamp,
        duration: SignedDuration,
    ) -> Result<Timestamp, CalendarError> {
        if duration.is_negative() {
            return Err(CalendarError::NegativeDuration { duration });
        }
        if duration.is_zero() {
            return Ok(start);
        }
        let mut remaining = duration;
        for (from, to) in self.intervals_from(start) {
            let available = to.duration_since(from);
            if available >= remaining {
                return from
                    .checked_add(remaining)
                    .map_err(|_| CalendarError::OutOfRange);
            }
            remaining -= available;
        }
        Err(CalendarError::OutOfRange)
    }

    /// Business time between two instants; negative when `to` is before `from`, so that
    /// "remaining time" can go below zero once a deadline has passed.
    pub fn business_duration_between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        if to < from {
            return -self.business_duration_between(to, from);
        }
        let mut total = SignedDuration::ZERO;
        for (start, end) in self.intervals_from(from) {
            if start >= to {
                break;
            }
            total += end.min(to).duration_since(start);
        }
        total
    }

    /// The first working moment at or after `at`: when to send something that should reach
    /// people during office hours (a follow-up call, CLEAR-R4), or from when to count.
    pub fn next_business_moment(&self, at: Timestamp) -> Result<Timestamp, CalendarError> {
        self.intervals_from(at)
            .next()
            .map(|(start, _)| start)
            .ok_or(CalendarError::OutOfRange)
    }

    /// The close of business on the `days`-th working day after the first working moment at or
    /// after `start` (day 0 is the day of that moment). A complaint received on Monday at 10:00
    /// with 3 business days is due on Thursday at closing time; one received on Monday evening,
    /// after closing, counts from Tuesday and is due on Friday at closing time.
    pub fn close_of_business_day(
        &self,
        start: Timestamp,
        days: u32,
    ) -> Result<Timestamp, CalendarError> {
        let first_moment = self.next_business_moment(start)?;
        let mut date = self.zone.to_datetime(first_moment).date();
        let mut left = days;
        while left > 0 {
            date = date.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        self.day_intervals(date)
            .last()
            .map(|(_, end)| end)
            .ok_or(CalendarError::OutOfRange)
    }

    /// Working intervals as instants, in order, starting with the one that contains `from`
    /// (clipped to begin at `from`). Empty intervals are skipped.
    fn intervals_from(&self, from: Timestamp) -> impl Iterator<Item = (Timestamp, Timestamp)> {
        let first_day = self.zone.to_datetime(from).date();
        std::iter::successors(Some(first_day), |date| date.tomorrow().ok())
            .flat_map(move |date| self.day_intervals(date))
            .filter_map(move |(start, end)| {
                let start = start.max(from);
                (start < end).then_some((start, end))
            })
    }

    fn day_intervals(&self, date: Date) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        let periods: &[Period] = if self.holidays.contains(&date) {
            &[]
        } else {
            &self.week[day_index(date.weekday())]
        };
        periods.iter().filter_map(move |period| {
            let start = self.local_instant(date, period.start)?;
            let end = self.local_instant(date, period.end)?;
            (start < end).then_some((start, end))
        })
    }

    /// The instant of a local wall-clock minute. Inside a DST gap the later instant is used and in
    /// a fold the earlier one (RFC 5545 "compatible"), so periods stay in order.
    fn local_instant(&self, date: Date, minute_of_day: u16) -> Option<Timestamp> {
        let datetime = if minute_of_day == MINUTES_PER_DAY {
            date.tomorrow().ok()?.to_datetime(Time::midnight())
        } else {
            let hour = i8::try_from(minute_of_day / 60).ok()?;
            let minute = i8::try_from(minute_of_day % 60).ok()?;
            date.to_datetime(Time::new(hour, minute, 0, 0).ok()?)
        };
        self.zone.to_ambiguous_timestamp(datetime).compatible().ok()
    }
}

/// Looks a zone up in the bundled tz database; `Etc/Unknown` is refused because jiff uses it as a
/// stand-in for "could not determine", not as a real place.
pub fn resolve_time_zone(name: &str) -> Result<TimeZone, CalendarError> {
    let unknown = || CalendarError::UnknownTimeZone {
        name: name.to_owned(),
    };
    if name.eq_ignore_ascii_case("Etc/Unknown") {
        return Err(unknown());
    }
    TimeZoneDatabase::bundled().get(name).map_err(|_| unknown())
}

fn day_index(weekday: Weekday) -> usize {
    usize::try_from(weekday.to_monday_zero_offset()).expect("weekday offsets are 0..=6")
}

fn parse_day(weekday: WeekdayName, texts: &[String]) -> Result<Vec<Period>, CalendarError> {
    let mut periods = texts
        .iter()
        .map(|text| parse_period(weekday, text).map(|period| (period, text)))
        .collect::<Result<Vec<_>, _>>()?;
    periods.sort_by_key(|(period, _)| period.start);
    for pair in periods.windows(2) {
        let ((earlier, first), (later, second)) = (&pair[0], &pair[1]);
        if later.start < earlier.end {
            return Err(CalendarError::OverlappingPeriods {
                weekday,
                first: (*first).clone(),
                second: (*second).clone(),
            });
        }
    }
    Ok(periods.into_iter().map(|(period, _)| period).collect())
}

fn parse_period(weekday: WeekdayName, text: &str) -> Result<Period, CalendarError> {
    let malformed = |reason| CalendarError::MalformedPeriod {
        weekday,
        period: text.to_owned(),
        reason,
    };
    let (start, end) = text
        .split_once('-')
        .ok_or_else(|| malformed("missing '-' between start and end"))?;
    let start = parse_minute_of_day(start.trim()).map_err(malformed)?;
    let end = parse_minute_of_day(end.trim()).map_err(malformed)?;
    if start == MINUTES_PER_DAY {
        return Err(malformed("a period cannot start at 24:00"));
    }
    if end <= start {
        return Err(CalendarError::EndBeforeStart {
            weekday,
            period: text.to_owned(),
        });
    }
    Ok(Period { start, end })
}

fn parse_minute_of_day(text: &str) -> Result<u16, &'static str> {
    let (hours, minutes) = text.split_once(':').ok_or("a time must be HH:MM")?;
    let two_digits = |part: &str| {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u16>().ok())
            .flatten()
    };
    let hours = two_digits(hours).ok_or("hours must be two digits")?;
    let minutes = two_digits(minutes).ok_or("minutes must be two digits")?;
    if minutes > 59 {
        return Err("minutes must be 00-59");
    }
    let minute_of_day = hours * 60 + minutes;
    if minute_of_day > MINUTES_PER_DAY {
        return Err("a time must be between 00:00 and 24:00");
    }
    Ok(minute_of_day)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn calendar(toml_text: &str) -> BusinessCalendar {
        BusinessCalendar::from_config(&toml::from_str(toml_text).unwrap()).unwrap()
    }

    /// Romania, with a lunch break, a short Friday and Christmas off.
    pub(crate) fn bucharest() -> BusinessCalendar {
        calendar(
            r#"
                time_zone = "Europe/Bucharest"
                holidays = ["2026-12-25", "2026-12-26"]
                [hours]
                monday = ["09:00-13:00", "14:00-17:00"]
                tuesday = ["09:00-13:00", "14:00-17:00"]
                wednesday = ["09:00-13:00", "14:00-17:00"]
                thursday = ["09:00-13:00", "14:00-17:00"]
                friday = ["09:00-15:00"]
                "#,
        )
    }

    fn around_the_clock(zone: &str) -> BusinessCalendar {
        let all_day = || vec!["00:00-24:00".to_owned()];
        BusinessCalendar::from_config(&CalendarConfig {
            time_zone: zone.to_owned(),
            hours: WeeklyHours {
                monday: all_day(),
                tuesday: all_day(),
                wednesday: all_day(),
                thursday: all_day(),
                friday: all_day(),
                saturday: all_day(),
                sunday: all_day(),
            },
            holidays: vec![],
        })
        .unwrap()
    }

    pub(crate) fn local(cal: &BusinessCalendar, text: &str) -> Timestamp {
        let datetime: jiff::civil::DateTime = text.parse().unwrap();
        cal.time_zone().to_timestamp(datetime).unwrap()
    }

    fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    fn config_error(toml_text: &str) -> CalendarError {
        let config: CalendarConfig = toml::from_str(toml_text).unwrap();
        BusinessCalendar::from_config(&config).unwrap_err()
    }

    #[test]
    fn adds_within_one_period() {
        let cal = bucharest();
        let start = local(&cal, "2026-11-23T09:30"); // Monday
        let due = cal.add_business_duration(start, hours(2)).unwrap();
        assert_eq!(due, local(&cal, "2026-11-23T11:30"));
    }

    #[test]
    fn skips_the_lunch_break_and_the_night() {
        let cal = bucharest();
        let start = local(&cal, "2026-11-23T12:00");
        assert_eq!(
            cal.add_business_duration(start, hours(2)).unwrap(),
            local(&cal, "2026-11-23T15:00")
        );
        assert_eq!(
            cal.add_business_duration(start, hours(5)).unwrap(),
            local(&cal, "2026-11-24T10:00")
        );
    }

    #[test]
    fn ends_at_closing_time_rather_than_next_morning() {
        let cal = bucharest();
        let start = local(&cal, "2026-11-23T16:00");
        assert_eq!(
            cal.add_business_duration(start, hours(1)).unwrap(),
            local(&cal, "2026-11-23T17:00")
        );
    }

    #[test]
    fn starts_counting_at_the_next_opening_when_received_at_night() {
        let cal = bucharest();
        let saturday_night = local(&cal, "2026-11-28T23:00");
        assert_eq!(
            cal.add_business_duration(saturday_night, SignedDuration::from_mins(30))
                .unwrap(),
            local(&cal, "2026-11-30T09:30")
        );
    }

    #[test]
    fn zero_is_at_once_even_outside_working_hours() {
        let cal = bucharest();
        let sunday = local(&cal, "2026-11-29T03:00");
        assert_eq!(
            cal.add_business_duration(sunday, SignedDuration::ZERO)
                .unwrap(),
            sunday
        );
    }

    #[test]
    fn holidays_are_skipped() {
        let cal = bucharest();
        // Thursday 24 December 16:00 + 2h: Christmas (Friday) and Boxing Day are off.
        let start = local(&cal, "2026-12-24T16:00");
        assert_eq!(
            cal.add_business_duration(start, hours(2)).unwrap(),
            local(&cal, "2026-12-28T10:00")
        );
        assert!(!cal.is_working_day(date(2026, 12, 25)));
        assert!(cal.is_working_day(date(2026, 12, 28)));
    }

    #[test]
    fn negative_durations_are_refused() {
        let cal = bucharest();
        let err = cal
            .add_business_duration(local(&cal, "2026-11-23T10:00"), hours(-1))
            .unwrap_err();
        assert!(matches!(err, CalendarError::NegativeDuration { .. }));
        assert!(err.to_string().contains("negative"));
    }

    #[test]
    fn between_counts_only_working_time_and_is_signed() {
        let cal = bucharest();
        let friday = local(&cal, "2026-11-27T14:00");
        let monday = local(&cal, "2026-11-30T10:00");
        assert_eq!(cal.business_duration_between(friday, monday), hours(2));
        assert_eq!(cal.business_duration_between(monday, friday), hours(-2));
        assert_eq!(
            cal.business_duration_between(monday, monday),
            SignedDuration::ZERO
        );
    }

    #[test]
    fn spring_forward_day_has_23_hours_and_fall_back_day_25() {
        let cal = around_the_clock("Europe/Bucharest");
        let day =
            |d: &str, next: &str| cal.business_duration_between(local(&cal, d), local(&cal, next));
        assert_eq!(day("2026-03-29T00:00", "2026-03-30T00:00"), hours(23));
        assert_eq!(day("2026-10-25T00:00", "2026-10-26T00:00"), hours(25));
        assert_eq!(day("2026-11-25T00:00", "2026-11-26T00:00"), hours(24));
    }

    #[test]
    fn a_night_shift_across_the_dst_change_counts_real_hours() {
        let cal = calendar(
            r#"
                time_zone = "America/New_York"
                [hours]
                sunday = ["01:00-05:00"]
                "#,
        );
        // 8 March 2026: clocks jump from 02:00 to 03:00, so the shift lasts 3 real hours.
        let sunday = local(&cal, "2026-03-08T00:00");
        let next = local(&cal, "2026-03-09T00:00");
        assert_eq!(cal.business_duration_between(sunday, next), hours(3));
        // 1 November 2026: 01:00-02:00 happens twice, so the shift lasts 5 real hours.
        let sunday = local(&cal, "2026-11-01T00:00");
        let next = local(&cal, "2026-11-02T00:00");
        assert_eq!(cal.business_duration_between(sunday, next), hours(5));
        assert_eq!(
            cal.add_business_duration(sunday, hours(5)).unwrap(),
            local(&cal, "2026-11-01T05:00")
        );
    }

    #[test]
    fn office_hours_are_wall_clock_hours_across_a_dst_weekend() {
        let cal = bucharest();
        // Friday before the spring change, 14:00 + 2h → Monday 10:00 local, whatever the offset.
        let start = local(&cal, "2026-03-27T14:00");
        let due = cal.add_business_duration(start, hours(2)).unwrap();
        assert_eq!(due, local(&cal, "2026-03-30T10:00"));
        assert_eq!(cal.time_zone().to_offset(due).seconds(), 3 * 3600);
    }

    #[test]
    fn close_of_business_day_counts_working_days() {
        let cal = bucharest();
        let monday_morning = local(&cal, "2026-11-23T10:00");
        assert_eq!(
            cal.close_of_business_day(monday_morning, 3).unwrap(),
            local(&cal, "2026-11-26T17:00")
        );
        let monday_evening = local(&cal, "2026-11-23T18:00");
        assert_eq!(
            cal.close_of_business_day(monday_evening, 3).unwrap(),
            local(&cal, "2026-11-27T15:00")
        );
        assert_eq!(
            cal.close_of_business_day(monday_morning, 0).unwrap(),
            local(&cal, "2026-11-23T17:00")
        );
        // Over Christmas: Wed 23 Dec + 3 → Thu 24, Mon 28, Tue 29.
        let before_christmas = local(&cal, "2026-12-23T11:00");
        assert_eq!(
            cal.close_of_business_day(before_christmas, 3).unwrap(),
            local(&cal, "2026-12-29T17:00")
        );
    }

    #[test]
    fn next_business_moment_waits_for_opening_time() {
        let cal = bucharest();
        let during = local(&cal, "2026-11-23T10:00");
        assert_eq!(cal.next_business_moment(during).unwrap(), during);
        assert_eq!(
            cal.next_business_moment(local(&cal, "2026-11-23T13:10"))
                .unwrap(),
            local(&cal, "2026-11-23T14:00")
        );
        assert_eq!(
            cal.next_business_moment(local(&cal, "2026-12-24T19:00"))
                .unwrap(),
            local(&cal, "2026-12-28T09:00")
        );
    }

    #[test]
    fn is_business_time_follows_periods() {
        let cal = bucharest();
        assert!(cal.is_business_time(local(&cal, "2026-11-23T09:00")));
        assert!(!cal.is_business_time(local(&cal, "2026-11-23T13:30")));
        assert!(!cal.is_business_time(local(&cal, "2026-11-23T17:00")));
        assert!(!cal.is_business_time(local(&cal, "2026-11-28T10:00")));
    }

    #[test]
    fn unknown_time_zone_is_refused_with_its_name() {
        let err =
            config_error("time_zone = \"Europe/Bucharestt\"\n[hours]\nmonday = [\"09:00-17:00\"]");
        assert_eq!(
            err,
            CalendarError::UnknownTimeZone {
                name: "Europe/Bucharestt".into()
            }
        );
        assert!(err.to_string().contains("Europe/Bucharestt"));
        let err = config_error("time_zone = \"Etc/Unknown\"\n[hours]\nmonday = [\"09:00-17:00\"]");
        assert!(matches!(err, CalendarError::UnknownTimeZone { .. }));
    }

    #[test]
    fn end_before_start_is_refused() {
        let err = config_error("time_zone = \"UTC\"\n[hours]\ntuesday = [\"17:00-09:00\"]");
        assert_eq!(
            err.to_string(),
            "hours.tuesday: period \"17:00-09:00\" ends before it starts (or is empty)"
        );
        let err = config_error("time_zone = \"UTC\"\n[hours]\ntuesday = [\"09:00-09:00\"]");
        assert!(matches!(err, CalendarError::EndBeforeStart { .. }));
    }

    #[test]
    fn overlapping_periods_are_refused() {
        let err = config_error(
            "time_zone = \"UTC\"\n[hours]\nwednesday = [\"13:00-18:00\", \"09:00-13:30\"]",
        );
        assert_eq!(
            err,
            CalendarError::OverlappingPeriods {
                weekday: WeekdayName(Weekday::Wednesday),
                first: "09:00-13:30".into(),
                second: "13:00-18:00".into(),
            }
        );
        // Touching periods are fine.
        let config: CalendarConfig = toml::from_str(
            "time_zone = \"UTC\"\n[hours]\nwednesday = [\"09:00-13:00\", \"13:00-18:00\"]",
        )
        .unwrap();
        assert!(BusinessCalendar::from_config(&config).is_ok());
    }

    #[test]
    fn malformed_periods_are_refused_with_a_reason() {
        for (period, reason) in [
            ("9-17", "a time must be HH:MM"),
            ("09:00", "missing '-' between start and end"),
            ("09:60-10:00", "minutes must be 00-59"),
            ("09:00-24:01", "a time must be between 00:00 and 24:00"),
            ("24:00-24:00", "a period cannot start at 24:00"),
            ("0900-1000", "a time must be HH:MM"),
            ("+9:00-10:00", "hours must be two digits"),
        ] {
            let err = config_error(&format!(
                "time_zone = \"UTC\"\n[hours]\nfriday = [\"{period}\"]"
            ));
            assert_eq!(
                err,
                CalendarError::MalformedPeriod {
                    weekday: WeekdayName(Weekday::Friday),
                    period: period.into(),
                    reason
                },
                "{period}"
            );
        }
    }

    #[test]
    fn a_calendar_without_hours_is_refused() {
        assert_eq!(
            config_error("time_zone = \"UTC\""),
            CalendarError::NoWorkingHours
        );
    }

    #[test]
    fn unknown_keys_are_refused_by_the_config_type() {
        let result: Result<CalendarConfig, _> =
            toml::from_str("time_zone = \"UTC\"\n[hours]\nmondy = [\"09:00-17:00\"]");
        assert!(result.unwrap_err().to_string().contains("mondy"));
    }

    #[test]
    fn default_config_is_valid_and_round_trips_through_toml() {
        let config = CalendarConfig::default();
        let text = toml::to_string(&config).unwrap();
        assert_eq!(toml::from_str::<CalendarConfig>(&text).unwrap(), config);
        BusinessCalendar::from_config(&config).unwrap();
    }

    fn calendars() -> Vec<BusinessCalendar> {
        vec![
            bucharest(),
            around_the_clock("America/New_York"),
            calendar(
                r#"
                    time_zone = "Asia/Manila"
                    holidays = ["2026-12-30"]
                    [hours]
                    monday = ["08:00-12:00", "13:00-17:00"]
                    saturday = ["08:30-12:15"]
                    "#,
            ),
            calendar(
                r#"
                    time_zone = "Europe/Athens"
                    [hours]
                    sunday = ["02:30-04:30", "22:00-24:00"]
                    wednesday = ["00:00-03:30"]
                    "#,
            ),
        ]
    }

    /// 2025-01-01 .. 2028-01-01, to cross several DST changes and holidays.
    fn any_instant() -> impl Strategy<Value = Timestamp> {
        (1_735_689_600i64..1_830_297_600).prop_map(|s| Timestamp::from_second(s).unwrap())
    }

    fn any_duration() -> impl Strategy<Value = SignedDuration> {
        (0i64..400 * 3600).prop_map(SignedDuration::from_secs)
    }

    proptest! {
        #[test]
        fn adding_then_measuring_gives_the_same_duration(
            which in 0usize..4, start in any_instant(), duration in any_duration()
        ) {
            let cal = &calendars()[which];
            let due = cal.add_business_duration(start, duration).unwrap();
            prop_assert!(due >= start);
            prop_assert_eq!(cal.business_duration_between(start, due), duration);
        }

        #[test]
        fn adding_is_monotone_and_additive(
            which in 0usize..4, start in any_instant(), a in any_duration(), b in any_duration()
        ) {
            let cal = &calendars()[which];
            let after_a = cal.add_business_duration(start, a).unwrap();
            let after_both = cal.add_business_duration(start, a + b).unwrap();
            prop_assert!(after_a <= after_both);
            prop_assert_eq!(cal.add_business_duration(after_a, b).unwrap(), after_both);
        }

        #[test]
        fn measuring_is_additive_and_antisymmetric(
            which in 0usize..4, a in any_instant(), b in any_instant(), c in any_instant()
        ) {
            let cal = &calendars()[which];
            let ab = cal.business_duration_between(a, b);
            prop_assert_eq!(ab + cal.business_duration_between(b, c), cal.business_duration_between(a, c));
            prop_assert_eq!(ab, -cal.business_duration_between(b, a));
            prop_assert!(ab.abs() <= b.duration_since(a).abs());
        }
    }
}
