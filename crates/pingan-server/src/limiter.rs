//! Login rate limiting, targeted so that one person cannot lock everyone out.
//!
//! Failures are counted in a sliding window under three keys, each with its own limit:
//! * **the account from this address** (`login_max_failures`, default 5): the guessing of one
//!   account from one place stops quickly, and nobody else is affected;
//! * **the account from anywhere** ([`ACCOUNT_FACTOR`] × that): a slower, global brake on one
//!   account guessed from many addresses — a legitimate user from another address is locked only
//!   after this many failures;
//! * **the address across accounts** ([`ADDRESS_FACTOR`] × that): a spray from one address is
//!   stopped, while an office behind one NAT where a few people mistype is not.
//!
//! Past a limit, further attempts under that key are refused with 429 until old failures age
//! out, or an admin unlocks the account ([`LoginLimiter::unlock`]). The trade-off: a guesser
//! with many addresses gets `ACCOUNT_FACTOR × limit` tries per window at one account before the
//! account is locked for everyone (docs/access-and-audit.md).
//!
//! In memory and per process: on a multi-node deployment each node limits on its own, which
//! still bounds guessing to nodes × limit per window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The global per-account limit, as a multiple of the per-(account, address) limit.
pub const ACCOUNT_FACTOR: usize = 4;
/// The per-address limit across accounts, as a multiple of the per-(account, address) limit.
pub const ADDRESS_FACTOR: usize = 10;

/// The keys one attempt is counted under.
#[derive(Debug, Clone)]
pub struct Attempt {
    account: String,
    address: String,
}

impl Attempt {
    pub fn new(username: &str, address: &str) -> Self {
        Self {
            account: username.to_lowercase(),
            address: address.to_owned(),
        }
    }

    fn keys(&self) -> [(String, usize); 3] {
        [
            (format!("pair:{}\u{0}{}", self.account, self.address), 1),
            (format!("user:{}", self.account), ACCOUNT_FACTOR),
            (format!("ip:{}", self.address), ADDRESS_FACTOR),
        ]
    }
}

#[derive(Debug)]
pub struct LoginLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: max_failures.max(1) as usize,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds)` when the attempt is over any of its limits at `now`.
    pub fn check(&self, attempt: &Attempt, now: Instant) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = 0u64;
        for (key, factor) in attempt.keys() {
            if let Some(q) = map.get_mut(&key) {
                while q
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    q.pop_front();
                }
                let limit = self.max_failures * factor;
                if q.len() >= limit {
                    // The failure that must age out for the next attempt to be allowed.
                    if let Some(t) = q.get(q.len() - limit) {
                        let left = self.window.saturating_sub(now.duration_since(*t));
                        wait = wait.max(left.as_secs().max(1));
                    }
                }
            }
        }
        if wait > 0 {
            Err(wait)
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, attempt: &Attempt, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bound memory under a spray of distinct keys: forget entries whose window has passed.
        if map.len() > 100_000 {
            map.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        let cap = self.max_failures * ADDRESS_FACTOR;
        for (key, _) in attempt.keys() {
            let q = map.entry(key).or_default();
            q.push_back(now);
            // No key needs more history than the largest limit.
            while q.len() > cap {
                q.pop_front();
            }
        }
    }

    /// A success clears the account's failures from this address (not the address's nor the
    /// account's elsewhere: one right password must not reset a spray).
    pub fn record_success(&self, attempt: &Attempt) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&attempt.keys()[0].0);
    }

    /// Clears every failure of an account (an admin's unlock); returns whether any was held.
    pub fn unlock(&self, username: &str) -> bool {
        let account = username.to_lowercase();
        let pair = format!("pair:{account}\u{0}");
        let user = format!("user:{account}");
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let before = map.len();
        map.retain(|k, _| *k != user && !k.starts_with(&pair));
        map.len() != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(l: &LoginLimiter, a: &Attempt, t: Instant, n: usize) {
        for _ in 0..n {
            l.record_failure(a, t);
        }
    }

    #[test]
    fn blocks_after_the_limit_and_recovers_after_the_window() {
        let l = LoginLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        let a = Attempt::new("a", "1");
        for _ in 0..3 {
            assert!(l.check(&a, t0).is_ok());
            l.record_failure(&a, t0);
        }
        assert!(l.check(&a, t0).is_err());
        assert!(l.check(&a, t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn one_person_guessing_locks_neither_the_account_elsewhere_nor_the_office() {
        let l = LoginLimiter::new(5, Duration::from_secs(900));
        let t0 = Instant::now();
        // Five wrong passwords for zhang from one address lock zhang there only.
        fail(&l, &Attempt::new("zhang", "10.0.0.1"), t0, 5);
        assert!(l.check(&Attempt::new("zhang", "10.0.0.1"), t0).is_err());
        assert!(l.check(&Attempt::new("zhang", "10.0.0.2"), t0).is_ok());
        assert!(l.check(&Attempt::new("li", "10.0.0.1"), t0).is_ok());
        // Five failures from five addresses do not lock zhang everywhere.
        let l = LoginLimiter::new(5, Duration::from_secs(900));
        for i in 0..5 {
            fail(&l, &Attempt::new("zhang", &format!("10.0.1.{i}")), t0, 1);
        }
        assert!(l.check(&Attempt::new("zhang", "10.0.2.1"), t0).is_ok());
        // Five failures of five people behind one NAT do not lock the office.
        let l = LoginLimiter::new(5, Duration::from_secs(900));
        for u in ["a", "b", "c", "d", "e"] {
            fail(&l, &Attempt::new(u, "nat"), t0, 1);
        }
        assert!(l.check(&Attempt::new("f", "nat"), t0).is_ok());
    }

    #[test]
    fn the_slower_limits_still_hold() {
        let l = LoginLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        // One account guessed from many addresses: locked after ACCOUNT_FACTOR × limit.
        for i in 0..(2 * ACCOUNT_FACTOR) {
            fail(&l, &Attempt::new("zhang", &format!("a{i}")), t0, 1);
        }
        assert!(l.check(&Attempt::new("zhang", "fresh"), t0).is_err());
        // A spray from one address across accounts: stopped after ADDRESS_FACTOR × limit.
        for i in 0..(2 * ADDRESS_FACTOR) {
            fail(&l, &Attempt::new(&format!("u{i}"), "sprayer"), t0, 1);
        }
        assert!(l.check(&Attempt::new("someone", "sprayer"), t0).is_err());
        assert!(l.check(&Attempt::new("someone", "elsewhere"), t0).is_ok());
    }

    #[test]
    fn an_admin_unlocks_an_account() {
        let l = LoginLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..(2 * ACCOUNT_FACTOR) {
            fail(&l, &Attempt::new("Zhang", &format!("a{i}")), t0, 1);
        }
        assert!(l.check(&Attempt::new("zhang", "a0"), t0).is_err());
        assert!(l.unlock("zhang"));
        assert!(l.check(&Attempt::new("zhang", "a0"), t0).is_ok());
        assert!(!l.unlock("zhang"));
    }
}
