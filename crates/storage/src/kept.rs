//! What capabilities keep beside the database for the life of the application, one value per
//! type: the CMDB's loaded impact graph, the mail sender its job delivers with. Each [`crate::Db`]
//! has its own, so that two applications in one process (as in the tests) never share what they
//! keep, and every store function, which takes the database, reaches it.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

type Values = HashMap<TypeId, Arc<dyn Any + Send + Sync>>;

/// A map from a type to the one value of it the application keeps.
#[derive(Clone, Default)]
pub struct Kept(Arc<Mutex<Values>>);

impl Kept {
    /// Keeps `value`, replacing what was kept of its type.
    pub fn insert<T: Any + Send + Sync>(&self, value: T) {
        self.values().insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if one is kept.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        let value = self.values().get(&TypeId::of::<T>())?.clone();
        value.downcast().ok()
    }

    /// The value of type `T`, kept from now on as its default if there was none.
    pub fn get_or_default<T: Any + Send + Sync + Default>(&self) -> Arc<T> {
        let value = self
            .values()
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        value
            .downcast()
            .unwrap_or_else(|_| unreachable!("values are stored under their own type's id"))
    }

    fn values(&self) -> std::sync::MutexGuard<'_, Values> {
        // A panic while the map was locked cannot leave it half-changed (each change is one
        // insert), so a poisoned lock is taken over.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Only how many values are kept: what they are (a mail sender with its password, say) stays out
/// of logs.
impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kept({} values)", self.values().len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Counter(u32);

    #[test]
    fn each_type_has_its_own_value_and_each_application_its_own_map() {
        let kept = Kept::default();
        assert_eq!(kept.get::<Counter>(), None);
        assert_eq!(*kept.get_or_default::<Counter>(), Counter(0));
        kept.insert(Counter(3));
        kept.insert(String::from("sender"));
        assert_eq!(*kept.get::<Counter>().unwrap(), Counter(3));
        assert_eq!(*kept.get_or_default::<Counter>(), Counter(3));
        assert_eq!(kept.get::<String>().unwrap().as_str(), "sender");
        assert_eq!(format!("{kept:?}"), "Kept(2 values)");
        let other = Kept::default();
        assert_eq!(other.get::<Counter>(), None);
        let shared = kept.clone();
        assert_eq!(*shared.get::<Counter>().unwrap(), Counter(3));
    }
}
