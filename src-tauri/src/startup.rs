//! `OMLINK_TRACE_STARTUP=1`: the app says on standard error how long after its process started
//! the window listed the profiles (the window calls `startup_ready` after that paint), so that
//! start-up can be measured over repeated launches (`scripts/bench-startup.sh`).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// When the process started, as well as this platform can tell.
#[derive(Clone, Copy, Debug)]
pub struct Started {
    /// When `run` began.
    at: Instant,
    /// How long the process had already been running then (loading libraries, `main`): from
    /// `/proc` on Linux (10 ms resolution), zero elsewhere.
    before: Duration,
}

impl Started {
    /// Now, with the time the process has been running so far.
    pub fn now() -> Self {
        Self {
            at: Instant::now(),
            before: process_age().unwrap_or_default(),
        }
    }

    /// Time since the process started.
    pub fn elapsed(&self) -> Duration {
        self.before + self.at.elapsed()
    }
}

/// Whether start-up is traced.
pub fn enabled() -> bool {
    std::env::var_os("OMLINK_TRACE_STARTUP").is_some_and(|v| v == "1")
}

/// Says one start-up moment on standard error, when tracing is on.
pub fn mark(started: &Started, what: &str) {
    if enabled() {
        let unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        eprintln!(
            "omlink startup: {what} at {} ms after the process started (unix_ms={unix_ms})",
            started.elapsed().as_millis()
        );
    }
}

/// How long this process has been running: `/proc/uptime` minus the process's start time in
/// `/proc/self/stat` (clock ticks since boot; Linux reports them at 100 per second).
fn process_age() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name is in parentheses and may hold spaces: fields follow the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Field 22 (starttime) is the 20th after the name.
    let start_ticks: f64 = fields.get(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let age = uptime - start_ticks / 100.0;
    (age.is_finite() && age >= 0.0).then(|| Duration::from_secs_f64(age))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_age_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let age = process_age().expect("/proc is readable");
            // The test process started before this line and less than an hour ago.
            assert!(age < Duration::from_secs(3600), "{age:?}");
        }
        let started = Started::now();
        assert!(started.elapsed() >= started.before);
    }
}
