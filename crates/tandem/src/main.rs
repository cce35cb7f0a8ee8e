//! The `tandem` command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use tandem::config::{COMMENTED_DEFAULT, Config, LogFormat};
use tandem::{accounts, app, demo, ops, trail};
use tandem_kernel::{Clock, SystemClock};
use tandem_storage::Db;
use tracing_subscriber::EnvFilter;

/// Tandem: IT service management (ITIL) and an ISO 27001 ISMS in one system.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Configuration file (default: ./tandem.toml if it exists). TANDEM_* variables override it.
    #[arg(long, short, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (UI, API, metrics). With no configuration: SQLite in ./tandem-data,
    /// listening on 127.0.0.1:8080.
    Serve {
        /// Start with the demo world (Alpha, its customers, people and teams) in a fresh data
        /// directory, ./tandem-demo unless configured otherwise.
        #[arg(long)]
        demo: bool,
    },
    /// Same as `serve --demo`.
    Demo,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Exit 0 if a running server answers its health check (for scripts and containers).
    Healthcheck,
    /// Print a commented configuration file with the defaults.
    DefaultConfig,
    /// Write a consistent copy of the SQLite database to FILE, while the server runs.
    Backup {
        /// The backup file to create; must not exist yet.
        file: PathBuf,
    },
    /// Replace the SQLite database with the backup FILE. Stop the server first.
    Restore {
        /// A file written by `tandem backup`.
        file: PathBuf,
    },
    /// Work with the audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Work with sign-in accounts.
    Account {
        #[command(subcommand)]
        action: AccountCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// Create the first administrator of a fresh installation: the provider organisation
    /// (unless one exists), the person, their password (read from standard input, first line)
    /// and the administrator role. Refused once an administrator exists.
    FirstAdministrator {
        /// The administrator's e-mail address.
        email: String,
        /// The administrator's full name.
        #[arg(long)]
        name: String,
        /// The name of the provider organisation running Tandem.
        #[arg(long)]
        organisation: String,
    },
    /// Set the password of the person with EMAIL (read from standard input, first line).
    SetPassword {
        /// The person's e-mail address, as in the directory.
        email: String,
    },
    /// Give the person with EMAIL exactly ROLES (comma-separated, e.g. `engineer,cab-member`;
    /// an empty string takes every role away).
    Grant {
        /// The person's e-mail address, as in the directory.
        email: String,
        /// The roles, comma-separated.
        roles: String,
    },
    /// Create an API token acting as the person with EMAIL, with all their roles, and print it
    /// (it is shown only this once).
    Token {
        /// The person's e-mail address, as in the directory.
        email: String,
        /// What the token is for, e.g. `monitoring`.
        #[arg(long)]
        name: String,
        /// Days until it expires (1 to 365).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the append-only triggers and the whole hash chain; exit 1 and name each problem: a
    /// missing trigger, the first entry changed or removed, a checkpoint the trail lost.
    Verify {
        /// A statement written by `tandem audit checkpoint`: the trail must still contain its
        /// entry with its hash.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
    },
    /// Print a signed statement of the newest entry (number, hash, time) to keep outside the
    /// database; needs audit_checkpoint_key.
    Checkpoint {
        /// Also put the statement in the outbox for ADDRESS (`tandem serve` sends it).
        #[arg(long, value_name = "ADDRESS")]
        mail: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::DefaultConfig = cli.command {
        print!("{COMMENTED_DEFAULT}");
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let demo_requested = matches!(cli.command, Command::Demo | Command::Serve { demo: true });
    let mut config = Config::load(cli.config.as_deref())?;
    if demo_requested && cli.config.is_none() && std::env::var_os("TANDEM_DATA_DIR").is_none() {
        config.data_dir = PathBuf::from("tandem-demo");
    }
    match cli.command {
        Command::Serve { .. } | Command::Demo => serve(config, demo_requested).await,
        Command::Migrate => {
            init_logging(&config)?;
            let db = app::open_database(&config).await?;
            db.close().await;
            println!("The database {} is up to date.", config.database_url()?);
            Ok(())
        }
        Command::Healthcheck => ops::healthcheck(config.bind, config.tls_cert.as_deref()).await,
        Command::Backup { file } => {
            ops::backup(&config, &file).await?;
            println!("Backup written to {}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            ops::restore(&config, &file).await?;
            println!(
                "Restored {} from {}",
                config.database_url()?,
                file.display()
            );
            Ok(())
        }
        Command::Audit { action } => {
            let key = config.checkpoint_key()?;
            let db = app::open_database(&config).await?;
            let result = match action {
                AuditCommand::Verify { checkpoint } => {
                    trail::verify(&db, key.as_ref(), checkpoint.as_deref()).await
                }
                AuditCommand::Checkpoint { mail } => {
                    trail::checkpoint(&db, key.as_ref(), SystemClock.now(), mail.as_deref()).await
                }
            };
            db.close().await;
            println!("{}", result?.trim_end());
            Ok(())
        }
        Command::Account { action } => {
            let password = match &action {
                AccountCommand::FirstAdministrator { .. } | AccountCommand::SetPassword { .. } => {
                    accounts::read_password()?
                }
                _ => String::new(),
            };
            let db = app::open_database(&config).await?;
            let result = account(&db, &config, action, &password).await;
            db.close().await;
            result
        }
        Command::DefaultConfig => unreachable!("handled before the runtime starts"),
    }
}

async fn account(
    db: &Db,
    config: &Config,
    action: AccountCommand,
    password: &str,
) -> anyhow::Result<()> {
    match action {
        AccountCommand::FirstAdministrator {
            email,
            name,
            organisation,
        } => {
            accounts::first_administrator(db, &email, &name, &organisation, password).await?;
            println!(
                "{email} is the administrator of {organisation}. Sign in at /sign-in and set up two-factor authentication at /account/mfa (administrators need it unless mfa_required_roles says otherwise)."
            );
        }
        AccountCommand::SetPassword { email } => {
            accounts::set_password(db, &email, password).await?;
            println!("The password of {email} is set.");
        }
        AccountCommand::Grant { email, roles } => {
            let roles = accounts::grant(db, &email, &roles).await?;
            println!(
                "{email} now holds: {}",
                if roles.is_empty() {
                    "no role".to_owned()
                } else {
                    roles.to_string()
                }
            );
        }
        AccountCommand::Token { email, name, days } => {
            println!("{}", accounts::token(db, &email, &name, days).await?);
            if let Some(warning) = accounts::second_factor_warning(db, &email, config).await? {
                eprintln!("note: {warning}");
            }
        }
    }
    Ok(())
}

/// Starts logging to stderr: coloured text on a terminal, plain text or JSON otherwise.
fn init_logging(config: &Config) -> anyhow::Result<()> {
    let mut directives = config.log_level.clone();
    if !directives.contains("sqlx") {
        // sqlx reports every PostgreSQL notice (such as "relation already exists, skipping"
        // from migrations) at INFO; they are not news to an operator.
        directives.push_str(",sqlx=warn");
    }
    let filter = EnvFilter::try_new(&directives).map_err(|e| {
        anyhow::anyhow!(
            "log_level `{}` is not a valid log filter: {e}",
            config.log_level
        )
    })?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match config.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}

async fn serve(config: Config, demo_requested: bool) -> anyhow::Result<()> {
    init_logging(&config)?;
    let url = config.database_url()?;
    if demo_requested {
        demo::prepare_data_dir(&config)?;
    }
    let _lock = match url.sqlite_path() {
        Some(path) => Some(ops::ServerLock::acquire(&path)?),
        None => None,
    };
    let db = app::open_database(&config).await?;
    let clock = Arc::new(SystemClock);
    if let Err(error) = trail::restore_guards(&db, clock.now()).await {
        tracing::error!("{error:#}; run `tandem audit verify`");
    }
    if demo_requested {
        demo::load(&db, clock.as_ref()).await?;
        tracing::info!("demo world loaded");
    }
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let address = listener.local_addr()?;
    let tls = tandem::tls::server_config(&config).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let sender = config.mail_sender()?;
    if sender.is_none() {
        tracing::info!("no smtp_url: mail waits in the outbox");
    }
    if let Some(sender) = sender {
        db.kept().insert(sender);
    }
    tandem_web::jobs::spawn(db.clone(), clock.clone(), app::jobs(&db));
    let state = app::state(db.clone(), clock, &config);
    let router = app::router(state)?;
    let shutdown = app::shutdown_signal();
    tracing::info!(database = %url, %address, scheme, "Tandem started");
    println!("Tandem is serving on {scheme}://{address}/ (database: {url})");
    app::serve(listener, tls, router, db, shutdown).await
}
