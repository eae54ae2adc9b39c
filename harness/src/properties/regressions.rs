//! Saved failing sequences: written when a property run fails, replayed first by every later run.

use super::step::Op;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A saved failing sequence of steps `O` (a v3 [`Op`] by default; the Auth.js profile saves
/// its own steps, in a directory of their own).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(serialize = "O: Serialize", deserialize = "O: Deserialize<'de>"))]
pub struct Regression<O = Op> {
    /// The backend it was first found on (a record, not a filter: every run replays it, except
    /// that a deliberately broken adapter's are kept in a directory of its own).
    pub backend: String,
    /// The seed that found it.
    pub seed: u64,
    /// How the sides diverged when it was found.
    pub failure: String,
    /// The minimal sequence.
    pub steps: Vec<O>,
    /// The file it was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// Every regression in `dir` (`*.json`), in file-name order. Unreadable files are reported
/// on stderr and skipped, never silently: a corrupt regression is a bug to fix.
pub fn load_regressions<O: for<'de> Deserialize<'de>>(dir: &Path) -> Vec<Regression<O>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| eprintln!("regression {}: {e}", p.display()))
                .ok()?;
            let mut r: Regression<O> = serde_json::from_str(&text)
                .map_err(|e| eprintln!("regression {}: {e}", p.display()))
                .ok()?;
            r.path = Some(p);
            Some(r)
        })
        .collect()
}

/// What a sequence of steps exercises, for its name: its distinct operations in the order
/// they first appear (at most four, then `…`), e.g. `create_user, update_user, get_user`.
pub fn what_it_checks<O: Serialize>(steps: &[O]) -> String {
    let mut ops: Vec<String> = Vec::new();
    for step in steps {
        let Some(op) = operation(step) else { continue };
        if !ops.contains(&op) {
            ops.push(op);
        }
    }
    let more = ops.len() > 4;
    ops.truncate(4);
    let mut text = ops.join(", ");
    if more {
        text.push_str(", …");
    }
    text
}

/// The operation of one serialized step: the `op` field of an internally tagged step, the
/// variant of an externally tagged one (`"GetUser"`, `{"CreateUser": …}`), in snake case.
fn operation<O: Serialize>(step: &O) -> Option<String> {
    let name = match serde_json::to_value(step).ok()? {
        serde_json::Value::String(variant) => variant,
        serde_json::Value::Object(map) => match map.get("op") {
            Some(serde_json::Value::String(op)) => op.clone(),
            _ => map.keys().next()?.clone(),
        },
        _ => return None,
    };
    let mut snake = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    Some(snake)
}

/// Saves a failing sequence to `dir` and returns the path. The file is named by what the
/// sequence exercises and a digest of its steps (`create_user-get_user-<digest>.json`), not by
/// the backend that failed it: the same sequence found on two backends is one file, and a
/// later run that fails it is told what it checks. The backend is recorded inside.
pub fn save_regression<O: Serialize + Clone>(
    dir: &Path,
    backend: &str,
    seed: u64,
    steps: &[O],
    failure: &str,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let body = serde_json::to_string(steps).map_err(std::io::Error::other)?;
    let digest = &nextauth_adapter::formulas::hash_token(&body, "regression")[..12];
    let what = what_it_checks(steps).replace(", …", "").replace(", ", "-");
    let path = dir.join(format!("{what}-{digest}.json"));
    let regression = Regression {
        backend: backend.to_owned(),
        seed,
        failure: failure.to_owned(),
        steps: steps.to_vec(),
        path: None,
    };
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&regression).map_err(std::io::Error::other)?,
    )?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::{load_regressions, save_regression, what_it_checks};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum External {
        CreateUser { email: u8 },
        GetUser(u8),
        DeleteSession,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "op", rename_all = "snake_case")]
    enum Internal {
        UseVerificationToken { token: u8 },
        CreateUser,
    }

    #[test]
    fn a_sequence_is_named_by_the_operations_it_exercises() {
        let steps = [
            External::CreateUser { email: 1 },
            External::GetUser(0),
            External::CreateUser { email: 2 },
            External::DeleteSession,
        ];
        assert_eq!(
            what_it_checks(&steps),
            "create_user, get_user, delete_session"
        );
        let steps = [
            Internal::UseVerificationToken { token: 1 },
            Internal::CreateUser,
        ];
        assert_eq!(
            what_it_checks(&steps),
            "use_verification_token, create_user"
        );
        let many = [
            External::CreateUser { email: 1 },
            External::GetUser(0),
            External::DeleteSession,
        ];
        let more: Vec<Internal> = vec![Internal::CreateUser];
        assert_eq!(what_it_checks(&more), "create_user");
        assert_eq!(what_it_checks::<External>(&[]), "");
        assert_eq!(what_it_checks(&many).matches(", ").count(), 2);
    }

    #[test]
    fn a_saved_sequence_is_named_by_what_it_checks_not_by_who_failed_it() {
        let dir = std::env::temp_dir().join(format!("nextauth-regressions-{}", std::process::id()));
        let steps = vec![External::CreateUser { email: 1 }, External::GetUser(0)];
        let a = save_regression(&dir, "broken-x", 1, &steps, "diverged").expect("saved");
        let b = save_regression(&dir, "postgres", 2, &steps, "diverged").expect("saved");
        // One sequence, one file, whoever found it.
        assert_eq!(a, b);
        let name = a
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with("create_user-get_user-"), "{name}");
        assert!(
            !name.contains("broken") && !name.contains("postgres"),
            "{name}"
        );
        let loaded = load_regressions::<External>(&dir);
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].steps, steps);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
