//! Background jobs: the work that runs on a timer instead of a request (escalation, mail, and
//! the schedulers still to come). A capability describes its jobs as [`Job`]s; the binary hands
//! them all to one runner, [`spawn`].
//!
//! Several `tandem serve` processes may share one PostgreSQL database, and each runs every job.
//! So a job's unit of work claims what it works on in the database before it acts (the outbox
//! claims its mail, escalation locks its ticket), and each unit is done once across the nodes
//! however many run the job. The runner itself only keeps time and logs.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tandem_kernel::Clock;
use tandem_storage::Db;
use time::OffsetDateTime;

type Round = Pin<Box<dyn Future<Output = tandem_kernel::Result<usize>> + Send>>;

/// A job: its name (for the log), how often it runs, and one round of its work, which answers
/// how many units it did.
#[derive(Clone)]
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    round: Arc<dyn Fn(Db, OffsetDateTime) -> Round + Send + Sync>,
}

impl Job {
    pub fn new<F, Fut>(name: &'static str, every: Duration, round: F) -> Self
    where
        F: Fn(Db, OffsetDateTime) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = tandem_kernel::Result<usize>> + Send + 'static,
    {
        Self {
            name,
            every,
            round: Arc::new(move |db, now| Box::pin(round(db, now))),
        }
    }

    /// One round of the job at `now`.
    pub async fn run(&self, db: &Db, now: OffsetDateTime) -> tandem_kernel::Result<usize> {
        (self.round)(db.clone(), now).await
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("name", &self.name)
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

/// Runs every job on its own timer until the process ends: a round at start, then one each
/// `every`. A failed round is logged and tried again at the next tick.
pub fn spawn(db: Db, clock: Arc<dyn Clock>, jobs: Vec<Job>) {
    for job in jobs {
        let (db, clock) = (db.clone(), clock.clone());
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(job.every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match job.run(&db, clock.now()).await {
                    Ok(0) => {}
                    Ok(units) => tracing::info!(job = job.name, units, "job round done"),
                    Err(error) => {
                        tracing::warn!(job = job.name, %error, "the job's round failed; trying again at its next tick")
                    }
                }
            }
        });
    }
}
