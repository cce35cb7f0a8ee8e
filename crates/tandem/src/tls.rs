//! HTTPS in `serve` for installations without a reverse proxy: the certificate chain and key
//! from `tls_cert` and `tls_key` (PEM), served with rustls; and the client side of
//! `tandem healthcheck`, which trusts exactly the configured certificate.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum_server::tls_rustls::RustlsConfig;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::config::Config;

/// Makes ring rustls's crypto provider for the process (once; later calls change nothing).
fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The TLS settings of `serve`, if `tls_cert` and `tls_key` are set; an unreadable or
/// mismatched pair stops start-up with the file named.
pub async fn server_config(config: &Config) -> anyhow::Result<Option<RustlsConfig>> {
    let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) else {
        return Ok(None);
    };
    install_provider();
    let loaded = RustlsConfig::from_pem_file(cert, key).await.with_context(|| {
        format!(
            "cannot use the TLS certificate `{}` with the key `{}` (both PEM, the key matching the certificate)",
            cert.display(),
            key.display()
        )
    })?;
    Ok(Some(loaded))
}

/// The first certificate of a PEM file: the server's own.
fn first_certificate(path: &Path) -> anyhow::Result<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .with_context(|| format!("cannot read the TLS certificate `{}`", path.display()))?
        .next()
        .with_context(|| format!("`{}` holds no PEM certificate", path.display()))?
        .with_context(|| format!("`{}` is not a PEM certificate", path.display()))
}

/// Accepts exactly one certificate: the health check talks to its own server, whatever name
/// the certificate was issued for.
#[derive(Debug)]
struct Pinned {
    certificate: CertificateDer<'static>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.certificate.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "the server presented another certificate than the configured one".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A TLS client that trusts only the certificate in `cert` (for the health check).
pub fn pinned_connector(cert: &Path) -> anyhow::Result<tokio_rustls::TlsConnector> {
    install_provider();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Pinned {
        certificate: first_certificate(cert)?,
        provider: provider.clone(),
    };
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("the TLS provider supports no protocol version")?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(client)))
}
