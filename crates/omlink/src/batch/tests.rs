use super::*;

#[test]
fn backoff_doubles_with_jitter_and_is_bounded() {
    let options = BatchOptions {
        backoff_base: Duration::from_millis(100),
        backoff_max: Duration::from_secs(1),
        ..BatchOptions::default()
    };
    for attempt in 1..=3 {
        let d = backoff(&options, attempt, None);
        let base = Duration::from_millis(100 * (1 << (attempt - 1)));
        assert!(d >= base && d <= base.mul_f64(1.5), "{attempt}: {d:?}");
    }
    assert_eq!(backoff(&options, 30, None), Duration::from_secs(1));
    assert_eq!(backoff(&options, 1, Some(0)), Duration::ZERO);
    assert_eq!(backoff(&options, 1, Some(3600)), Duration::from_secs(1));
}

#[test]
fn concurrency_is_checked() {
    for bad in [0, 65] {
        let options = BatchOptions {
            concurrency: bad,
            ..BatchOptions::default()
        };
        assert_eq!(
            options.validate().unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }
    assert!(BatchOptions::default().validate().is_ok());
}
