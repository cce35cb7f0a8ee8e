//! The `change_settings` row: the CAB's quorum, how long an emergency change may wait for its
//! approval, whether high-risk changes need the CAB too, and how early a change may start.

use tandem_audit::{Edit, Write};
use tandem_kernel::{Error, FieldError, Result};
use tandem_storage::{Handle, SqlTime, run};

use crate::lifecycle::Settings;

/// The settings and the version of their row.
pub async fn get(handle: &mut impl Handle) -> Result<(Settings, i64)> {
    let (quorum, hours, high, tolerance, version): (i64, i64, bool, i64, i64) =
        run!(handle, |c| {
            sqlx::query_as(
                "SELECT cab_quorum, retro_approval_hours, cab_for_high_risk, \
                 start_tolerance_minutes, version FROM change_settings WHERE id = 1",
            )
            .fetch_one(c)
            .await
        })?;
    Ok((
        Settings {
            cab_quorum: u32::try_from(quorum).unwrap_or(u32::MAX),
            retro_approval_hours: hours,
            cab_for_high_risk: high,
            start_tolerance_minutes: tolerance,
        },
        version,
    ))
}

/// Checks settings as typed: a quorum of at least one member, at most a week for a late
/// approval, at most a day of early start.
pub fn check(
    quorum: &str,
    hours: &str,
    high: bool,
    tolerance: &str,
) -> std::result::Result<Settings, Error> {
    let mut errors = Vec::new();
    let mut number =
        |field: &str, raw: &str, range: std::ops::RangeInclusive<i64>, what: &str| match raw
            .trim()
            .parse::<i64>(
        ) {
            Ok(n) if range.contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    field,
                    format!("must be {what} from {} to {}", range.start(), range.end()),
                ));
                0
            }
        };
    let quorum = number("cab_quorum", quorum, 1..=50, "a number of CAB members");
    let hours = number("retro_approval_hours", hours, 0..=168, "a number of hours");
    let tolerance = number(
        "start_tolerance_minutes",
        tolerance,
        0..=1440,
        "a number of minutes",
    );
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok(Settings {
        cab_quorum: u32::try_from(quorum).unwrap_or(1),
        retro_approval_hours: hours,
        cab_for_high_risk: high,
        start_tolerance_minutes: tolerance,
    })
}

/// Saves the settings if they are still at `version`.
pub async fn save(write: &Write, version: i64, settings: &Settings) -> Result<()> {
    let mut tx = write.begin().await?;
    let (before, _) = get(&mut tx).await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE change_settings SET cab_quorum = $1, retro_approval_hours = $2, \
             cab_for_high_risk = $3, start_tolerance_minutes = $4, updated_at = $5, \
             version = version + 1 WHERE id = 1 AND version = $6",
        )
        .bind(i64::from(settings.cab_quorum))
        .bind(settings.retro_approval_hours)
        .bind(settings.cab_for_high_risk)
        .bind(settings.start_tolerance_minutes)
        .bind(SqlTime(write.now))
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        return Err(Error::conflict(
            "the settings were changed by someone else in the meantime; reload them and try again",
        ));
    }
    let fields = |s: &Settings| {
        vec![
            ("CAB quorum", s.cab_quorum.to_string()),
            (
                "retroactive approval hours",
                s.retro_approval_hours.to_string(),
            ),
            ("CAB for high risk", s.cab_for_high_risk.to_string()),
            (
                "start tolerance minutes",
                s.start_tolerance_minutes.to_string(),
            ),
        ]
    };
    write
        .commit(
            tx,
            Edit::updated("change settings", "1", &fields(&before), &fields(settings)),
        )
        .await
}
