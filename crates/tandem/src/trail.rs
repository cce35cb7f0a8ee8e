//! The audit trail's guards and checks as the operator meets them: `serve` putting back the
//! append-only triggers at start, `tandem audit verify` and `tandem audit checkpoint`.

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use tandem_audit::checkpoint::{Checkpoint, Key};
use tandem_audit::{Edit, Write};
use tandem_kernel::Actor;
use tandem_storage::Db;
use time::OffsetDateTime;

/// At `serve`'s start: when append-only triggers are missing or disabled, warns naming them and
/// creates them again, with an entry in the trail. Returns the names of those restored.
pub async fn restore_guards(db: &Db, now: OffsetDateTime) -> anyhow::Result<Vec<&'static str>> {
    let missing = tandem_audit::guard::missing(db).await?;
    if missing.is_empty() {
        return Ok(missing);
    }
    tracing::warn!(
        triggers = %missing.join(", "),
        "the append-only triggers of the audit trail are missing or disabled: restoring them"
    );
    let restored = tandem_audit::guard::restore(db, &Actor::system("tandem serve"), now)
        .await
        .with_context(|| {
            format!(
                "the append-only triggers {} of the audit trail could not be restored",
                missing.join(", ")
            )
        })?;
    Ok(restored)
}

/// The configured key, or an error saying that `purpose` needs one.
fn needs_key<'a>(key: Option<&'a Key>, purpose: &str) -> anyhow::Result<&'a Key> {
    key.with_context(|| {
        format!(
            "audit_checkpoint_key is not set: {purpose} (see docs/configuration.md#audit_checkpoint_key)"
        )
    })
}

/// `tandem audit verify [--checkpoint FILE]`: the append-only triggers, the hash chain and,
/// with a checkpoint, whether the trail still holds the checkpoint's entry with its hash.
/// Returns what to print when all is well; the error names every problem found, one per line.
pub async fn verify(
    db: &Db,
    key: Option<&Key>,
    checkpoint: Option<&Path>,
) -> anyhow::Result<String> {
    let checkpoint = match checkpoint {
        None => None,
        Some(path) => {
            let key = needs_key(key, "a checkpoint is checked with the key that signed it")?;
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the checkpoint `{}`", path.display()))?;
            let checkpoint = Checkpoint::read(&text, key)
                .map_err(|e| anyhow!("the checkpoint `{}` is not accepted: {e}", path.display()))?;
            Some(checkpoint)
        }
    };
    let mut problems = Vec::new();
    let missing = tandem_audit::guard::missing(db).await?;
    if !missing.is_empty() {
        problems.push(format!(
            "the append-only triggers {} of the audit trail are missing or disabled: the database no longer refuses changes to entries (`tandem serve` restores them when it starts)",
            missing.join(", ")
        ));
    }
    let checked = match tandem_audit::store::verify(db).await? {
        Ok(checked) => checked,
        Err(broken) => {
            problems.push(format!("the audit trail is broken: {broken}"));
            0
        }
    };
    if let Some(checkpoint) = &checkpoint {
        let at = checkpoint.at_text();
        match tandem_audit::store::hash_of(db, checkpoint.seq).await? {
            Some(hash) if hash == checkpoint.hash => {}
            Some(_) => problems.push(format!(
                "entry {} no longer has the hash of the checkpoint made at {at}: the trail was rewritten",
                checkpoint.seq
            )),
            None => problems.push(format!(
                "the trail no longer contains entry {} of the checkpoint made at {at}: it was cut short",
                checkpoint.seq
            )),
        }
    }
    if !problems.is_empty() {
        // `main` prints the error after `error: `: each further problem gets its own line too.
        bail!("{}", problems.join("\nerror: "));
    }
    Ok(match checkpoint {
        None => format!("The audit trail is intact: {checked} entries checked."),
        Some(checkpoint) => format!(
            "The audit trail is intact: {checked} entries checked. It contains entry {} of the checkpoint made at {}.",
            checkpoint.seq,
            checkpoint.at_text()
        ),
    })
}

/// `tandem audit checkpoint [--mail ADDRESS]`: the signed statement of the trail's head. With
/// an address, the statement is also put in the outbox for it, and that is recorded in the
/// trail (after the entry the statement names).
pub async fn checkpoint(
    db: &Db,
    key: Option<&Key>,
    now: OffsetDateTime,
    mail: Option<&str>,
) -> anyhow::Result<String> {
    let key = needs_key(key, "a checkpoint must be signed")?;
    let (seq, hash) = tandem_audit::store::head(db).await?.map_err(|fault| {
        anyhow!("no checkpoint can be made: {fault}; run `tandem audit verify`")
    })?;
    if seq == 0 {
        bail!("the audit trail has no entries yet: there is nothing to make a checkpoint of");
    }
    if tandem_audit::store::hash_of(db, seq).await?.as_deref() != Some(hash.as_str()) {
        bail!(
            "no checkpoint can be made: the audit trail's head names entry {seq}, which the trail does not hold with that hash; run `tandem audit verify`"
        );
    }
    let statement = Checkpoint { seq, hash, at: now }.statement(key);
    if let Some(address) = mail {
        let body = format!(
            "{statement}\nKeep this mail unchanged, where the database's administrators cannot reach it. `tandem audit verify --checkpoint FILE` (FILE holding this text) checks that the audit trail still contains entry {seq} with this hash.\n"
        );
        let message = tandem_mail::message::Mail::new(
            address,
            &format!("Tandem audit trail checkpoint: entry {seq}"),
            &body,
            "",
        )
        .map_err(|e| anyhow!("--mail {}", e.message))?;
        let write = Write::new(db, &Actor::system("tandem audit checkpoint"), now);
        let mut tx = write.begin().await?;
        tandem_mail::store::enqueue(&mut tx, &message, "audit trail checkpoint", now).await?;
        write
            .commit(
                tx,
                Edit::created(
                    "audit checkpoint",
                    seq,
                    &[("mailed_to", message.to.as_str().to_owned())],
                ),
            )
            .await?;
    }
    Ok(statement)
}
