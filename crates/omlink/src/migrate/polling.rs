//! How the journey asks Atlas again: fast at first, backing off, and after a 429 no sooner
//! than the server's `Retry-After`.

use std::future::Future;
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// How often to ask Atlas again: from `first`, doubling up to `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Polling {
    /// The first wait.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(1),
            max: Duration::from_secs(10),
        }
    }
}

impl Polling {
    /// The default, or every wait `OMLINK_POLL_INTERVAL_MS` milliseconds (for labs and
    /// tests on a fast sandbox; at least 10).
    pub fn from_env() -> Self {
        std::env::var("OMLINK_POLL_INTERVAL_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or_else(Self::default, |ms| {
                let every = Duration::from_millis(ms.max(10));
                Self {
                    first: every,
                    max: every,
                }
            })
    }

    /// The wait after `wait`.
    pub fn next(&self, wait: Duration) -> Duration {
        (wait * 2).min(self.max).max(self.first)
    }
}

/// Runs `call`, and once more after the server's `Retry-After` (or `wait`) when it answers
/// 429, up to five times.
///
/// # Errors
/// The call's error.
pub async fn patiently<T, F, Fut>(wait: Duration, mut call: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut tries = 0;
    loop {
        match call().await {
            Err(e) if e.kind == ErrorKind::RateLimited && tries < 5 => {
                tries += 1;
                let pause = e.retry_after_secs.map_or(wait, Duration::from_secs);
                tokio::time::sleep(pause.min(Duration::from_secs(120))).await;
            }
            other => return other,
        }
    }
}
