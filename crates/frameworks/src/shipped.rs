//! The catalogues shipped with Tandem: the data files under `data/`, compiled into the binary.

use std::sync::{Arc, OnceLock};

use crate::catalogue::{Catalogue, CatalogueBuilder, LoadError};
use crate::model::Origin;

#[derive(rust_embed::RustEmbed)]
#[folder = "data/"]
#[include = "*.toml"]
#[include = "*.csv"]
struct Data;

fn text(path: &str) -> Result<String, LoadError> {
    let file = Data::get(path).ok_or_else(|| LoadError {
        file: format!("data/{path}"),
        line: None,
        field: None,
        message: "is missing".into(),
    })?;
    String::from_utf8(file.data.into_owned()).map_err(|_| LoadError {
        file: format!("data/{path}"),
        line: None,
        field: None,
        message: "is not UTF-8 text".into(),
    })
}

/// Reads and checks every shipped framework and mapping file: frameworks and their nodes
/// first (in folder order), then mapping files, then the lists of rows without counterpart.
pub fn load() -> Result<CatalogueBuilder, LoadError> {
    let mut paths: Vec<String> = Data::iter().map(|p| p.into_owned()).collect();
    paths.sort();
    let mut builder = CatalogueBuilder::default();
    for path in paths
        .iter()
        .filter(|p| p.ends_with("/framework.toml") && p.matches('/').count() == 1)
    {
        let folder = path.trim_end_matches("/framework.toml");
        let id = builder.framework_file(&format!("data/{path}"), &text(path)?, Origin::Shipped)?;
        if id != folder {
            return Err(LoadError {
                file: format!("data/{path}"),
                line: Some(1),
                field: Some("id".into()),
                message: format!("the id `{id}` must be the folder's name `{folder}`"),
            });
        }
        let nodes = format!("{folder}/nodes.csv");
        builder.nodes_file(&format!("data/{nodes}"), &text(&nodes)?, &id)?;
    }
    let mappings = paths
        .iter()
        .filter(|p| p.starts_with("mappings/") && p.ends_with(".csv"));
    let (unmapped, mapped): (Vec<&String>, Vec<&String>) =
        mappings.partition(|p| p.starts_with("mappings/unmapped"));
    for path in mapped {
        builder.mappings_file(&format!("data/{path}"), &text(path)?)?;
    }
    for path in unmapped {
        builder.unmapped_file(&format!("data/{path}"), &text(path)?)?;
    }
    Ok(builder)
}

/// The shipped data, read and checked once; start-up calls [`catalogue`] first so that a bad
/// file stops it.
pub fn builder() -> Result<&'static CatalogueBuilder, &'static LoadError> {
    static SHIPPED: OnceLock<Result<CatalogueBuilder, LoadError>> = OnceLock::new();
    SHIPPED.get_or_init(load).as_ref()
}

/// The shipped catalogue, built once and shared.
pub fn catalogue() -> Result<&'static Arc<Catalogue>, &'static LoadError> {
    static BUILT: OnceLock<Arc<Catalogue>> = OnceLock::new();
    let builder = builder()?;
    Ok(BUILT.get_or_init(|| Arc::new(builder.clone().build())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_data_loads_without_errors() {
        let catalogue = super::load().unwrap_or_else(|e| panic!("{e}")).build();
        assert!(catalogue.frameworks().len() >= 5);
    }
}
