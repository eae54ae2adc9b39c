//! The reference adapter's tables: four ordered maps behind one lock.

use nextauth_adapter::{Account, Session, User, VerificationRequest};
use std::collections::BTreeMap;

/// The stored rows of the reference adapter, keyed by their numeric ids.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) users: Table<User>,
    pub(crate) accounts: Table<Account>,
    pub(crate) sessions: Table<Session>,
    pub(crate) verification_requests: Table<VerificationRequest>,
}

/// One table: rows by id, and the next id to issue (ids are never reused, like a SQL
/// sequence).
#[derive(Debug)]
pub(crate) struct Table<T> {
    pub(crate) rows: BTreeMap<u64, T>,
    next_id: u64,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: BTreeMap::new(),
            next_id: 1,
        }
    }
}

impl<T> Table<T> {
    /// Issues the next id.
    pub(crate) fn issue_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The key of an id string this table issued: ids are canonical decimal numbers, so
    /// `"01"`, `" 1"` or `"abc"` name no row.
    pub(crate) fn key(id: &str) -> Option<u64> {
        let n: u64 = id.parse().ok()?;
        (n.to_string() == id).then_some(n)
    }

    /// The row with this id string.
    pub(crate) fn get(&self, id: &str) -> Option<&T> {
        Self::key(id).and_then(|k| self.rows.get(&k))
    }
}

/// A copy of everything the reference adapter stores, read without going through the
/// adapter's methods: what the harness's `Inspector` sees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// All rows of `users`, by ascending id.
    pub users: Vec<User>,
    /// All rows of `accounts`, by ascending id.
    pub accounts: Vec<Account>,
    /// All rows of `sessions`, by ascending id.
    pub sessions: Vec<Session>,
    /// All rows of `verification_requests`, by ascending id.
    pub verification_requests: Vec<VerificationRequest>,
}

impl Store {
    /// Replaces every table's rows with `snapshot`'s. Rows whose id is not a canonical number
    /// are dropped; ids keep increasing past the largest present.
    pub(crate) fn restore(&mut self, snapshot: Snapshot) {
        fn fill<T>(table: &mut Table<T>, rows: Vec<T>, id: impl Fn(&T) -> &str) {
            table.rows = rows
                .into_iter()
                .filter_map(|r| Table::<T>::key(id(&r)).map(|k| (k, r)))
                .collect();
            if let Some(max) = table.rows.keys().next_back() {
                table.next_id = table.next_id.max(max + 1);
            }
        }
        fill(&mut self.users, snapshot.users, |u| &u.id);
        fill(&mut self.accounts, snapshot.accounts, |a| &a.id);
        fill(&mut self.sessions, snapshot.sessions, |s| &s.id);
        fill(
            &mut self.verification_requests,
            snapshot.verification_requests,
            |v| &v.id,
        );
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            users: self.users.rows.values().cloned().collect(),
            accounts: self.accounts.rows.values().cloned().collect(),
            sessions: self.sessions.rows.values().cloned().collect(),
            verification_requests: self.verification_requests.rows.values().cloned().collect(),
        }
    }
}

/// The rows a reference adapter stores, shareable: the adapter is built over a `Storage`
/// ([`ReferenceAdapter::over`](crate::ReferenceAdapter::over)), and whoever made the
/// `Storage` may also read and rewrite its rows directly. The adapter itself offers no such
/// access: only the owner of the storage can put it in a state the methods cannot reach (the
/// harness's deliberately broken adapters do, to store a raw token or skip a check).
#[derive(Debug, Clone, Default)]
pub struct Storage {
    store: std::sync::Arc<std::sync::Mutex<Store>>,
}

impl Storage {
    /// Empty tables.
    pub fn new() -> Self {
        Storage::default()
    }

    /// A copy of every stored row.
    pub fn snapshot(&self) -> Snapshot {
        self.lock().snapshot()
    }

    /// Edits the stored rows directly, bypassing every check, in one atomic step: `edit`
    /// gets a copy of all rows, and what it leaves is stored. Rows whose id is not a
    /// canonical number are dropped.
    pub fn edit<R>(&self, edit: impl FnOnce(&mut Snapshot) -> R) -> R {
        let mut store = self.lock();
        let mut rows = store.snapshot();
        let result = edit(&mut rows);
        store.restore(rows);
        result
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        // Every method leaves the store consistent before it can panic (checks come before
        // writes), so a poisoned lock still guards valid data.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}
