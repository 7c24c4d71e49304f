//! Login rate limiting: failures are counted per account and per client address in a sliding
//! window; past the limit, further attempts are refused with 429 until old failures age out.
//!
//! In memory and per process: on a multi-node deployment each node limits on its own, which
//! still bounds guessing to nodes × limit per window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

    /// `Err(seconds)` when any of `keys` is over the limit at `now`.
    pub fn check(&self, keys: &[String], now: Instant) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = 0u64;
        for key in keys {
            if let Some(q) = map.get_mut(key) {
                while q
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    q.pop_front();
                }
                if q.len() >= self.max_failures {
                    if let Some(oldest) = q.front() {
                        let left = self.window.saturating_sub(now.duration_since(*oldest));
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

    pub fn record_failure(&self, keys: &[String], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bound memory under a spray of distinct keys: forget entries whose window has passed.
        if map.len() > 100_000 {
            map.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for key in keys {
            map.entry(key.clone()).or_default().push_back(now);
        }
    }

    /// A success clears the account's failures (not the address's: one right password must not
    /// reset a spray across accounts).
    pub fn record_success(&self, account_key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(account_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_recovers_after_the_window() {
        let l = LoginLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        let keys = vec!["user:a".to_owned(), "ip:1".to_owned()];
        for _ in 0..3 {
            assert!(l.check(&keys, t0).is_ok());
            l.record_failure(&keys, t0);
        }
        assert!(l.check(&keys, t0).is_err());
        assert!(l.check(&keys, t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn the_address_limit_holds_across_accounts() {
        let l = LoginLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        l.record_failure(&["user:a".into(), "ip:1".into()], t0);
        l.record_failure(&["user:b".into(), "ip:1".into()], t0);
        assert!(l.check(&["user:c".into(), "ip:1".into()], t0).is_err());
        assert!(l.check(&["user:c".into(), "ip:2".into()], t0).is_ok());
    }
}
