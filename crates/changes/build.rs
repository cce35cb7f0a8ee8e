//! Rebuilds the crate when a migration file is added or changed, so that `sqlx::migrate!`
//! embeds it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
