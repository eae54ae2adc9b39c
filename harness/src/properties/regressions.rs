//! Saved failing sequences: written when a property run fails, replayed first by every later run.

use super::step::Op;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A saved failing sequence of steps `O` (a v3 [`Op`] by default; the Auth.js profile saves
/// its own steps, in a directory of their own).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(serialize = "O: Serialize", deserialize = "O: Deserialize<'de>"))]
pub struct Regression<O = Op> {
    /// The backend it failed on.
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

/// Saves a failing sequence to `dir` as `<backend>-<digest>.json` and returns the path.
pub fn save_regression<O: Serialize + Clone>(
    dir: &Path,
    backend: &str,
    seed: u64,
    steps: &[O],
    failure: &str,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let body = serde_json::to_string(steps).map_err(std::io::Error::other)?;
    let digest = &nextauth_adapter::formulas::hash_token(&body, backend)[..12];
    let path = dir.join(format!("{backend}-{digest}.json"));
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
