//! Operations on an installation from the command line: the single-writer lock of an SQLite
//! database, backup, restore and the health check.

use std::fs::{File, TryLockError};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use tandem_storage::{DatabaseUrl, Engine};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::Config;

/// Held by `serve` for as long as it runs on an SQLite database, so that `restore` cannot pull
/// the file from under a running server.
#[derive(Debug)]
pub struct ServerLock {
    _file: File,
    path: PathBuf,
}

impl ServerLock {
    fn path_for(database: &Path) -> PathBuf {
        PathBuf::from(format!("{}.lock", database.display()))
    }

    /// Takes the lock of the SQLite database at `database`, or says which process holds it.
    pub fn acquire(database: &Path) -> anyhow::Result<Self> {
        let path = Self::path_for(database);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the lock file `{}`", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file, path }),
            Err(TryLockError::WouldBlock) => bail!(
                "another Tandem server is running on `{}` (it holds `{}`); stop it first",
                database.display(),
                path.display()
            ),
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock `{}`", path.display()))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn sqlite_path(url: &DatabaseUrl, action: &str) -> anyhow::Result<PathBuf> {
    match (url.engine(), url.sqlite_path()) {
        (Engine::Sqlite, Some(path)) => Ok(path),
        (Engine::Sqlite, None) => bail!("an in-memory database cannot be {action}"),
        (Engine::Postgres, _) => bail!(
            "this installation uses PostgreSQL: use `pg_dump --format=custom` to back it up and `pg_restore` to restore it; Tandem's backup and restore commands are for the embedded SQLite database"
        ),
    }
}

/// `tandem backup FILE`: a consistent copy of the (possibly running) SQLite database.
pub async fn backup(config: &Config, target: &Path) -> anyhow::Result<()> {
    let database = sqlite_path(&config.database_url()?, "backed up")?;
    tandem_storage::backup_sqlite(&database, target).await?;
    Ok(())
}

/// `tandem restore FILE`: replaces the SQLite database with a backup while no server runs.
pub async fn restore(config: &Config, source: &Path) -> anyhow::Result<()> {
    let database = sqlite_path(&config.database_url()?, "restored")?;
    let _lock = ServerLock::acquire(&database)?;
    tandem_storage::restore_sqlite(source, &database).await?;
    Ok(())
}

/// `tandem healthcheck`: asks the server at `address` for `/healthz` and succeeds on 200.
/// With `tls_cert` set, it speaks HTTPS and trusts exactly that certificate.
pub async fn healthcheck(address: SocketAddr, tls_cert: Option<&Path>) -> anyhow::Result<()> {
    let address = if address.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), address.port())
    } else {
        address
    };
    let connector = tls_cert.map(crate::tls::pinned_connector).transpose()?;
    let ask = async {
        let stream = tokio::net::TcpStream::connect(address).await?;
        let request =
            format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        let mut response = Vec::new();
        match &connector {
            Some(connector) => {
                let name = rustls::pki_types::ServerName::IpAddress(address.ip().into());
                let mut stream = connector.connect(name, stream).await?;
                stream.write_all(request.as_bytes()).await?;
                stream.take(64 * 1024).read_to_end(&mut response).await?;
            }
            None => {
                let mut stream = stream;
                stream.write_all(request.as_bytes()).await?;
                stream.take(64 * 1024).read_to_end(&mut response).await?;
            }
        }
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(Duration::from_secs(5), ask)
        .await
        .with_context(|| format!("no answer from {address} within 5 seconds"))?
        .with_context(|| format!("cannot reach a Tandem server at {address}"))?;
    let status_line = String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    if status_line.split(' ').nth(1) == Some("200") {
        Ok(())
    } else {
        bail!("the server at {address} is not healthy: {status_line}")
    }
}
