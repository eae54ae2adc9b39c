//! The hostile data corpus the property sequences draw from: `harness/corpus/strings.json`,
//! compiled in so a run needs no files at run time.

use serde::Deserialize;
use std::sync::OnceLock;

/// The pools of values steps pick from by index.
#[derive(Debug, Deserialize)]
pub struct Corpus {
    /// E-mail addresses: case variants, NFC and NFD forms, Turkish dotted I, right-to-left,
    /// wildcards, and addresses of exactly 255 and 256 characters.
    pub emails: Vec<String>,
    /// Names: empty, blank, emoji, SQL metacharacters, quotes, 255 and 256 characters.
    pub names: Vec<String>,
    /// Provider account ids: numeric, a leading zero, Unicode, a colon, 255 and 256 characters.
    pub provider_account_ids: Vec<String>,
    /// OAuth access tokens: short, empty and a multi-kilobyte JWT.
    pub access_tokens: Vec<String>,
    /// Raw verification tokens, the basic-tests vectors among them.
    pub verification_tokens: Vec<String>,
}

const SOURCE: &str = include_str!("../../corpus/strings.json");

/// The corpus, parsed once.
///
/// # Panics
/// If the committed corpus file is not valid; a test (`corpus_is_valid`) keeps it so.
pub fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS
        .get_or_init(|| serde_json::from_str(SOURCE).expect("harness/corpus/strings.json is valid"))
}

/// The `i`-th value of `pool`, wrapping around.
pub fn pick(pool: &[String], i: u8) -> &str {
    if pool.is_empty() {
        return "";
    }
    &pool[usize::from(i) % pool.len()]
}

/// How many values `pool` holds, as the generator's index range.
pub fn len(pool: &[String]) -> u8 {
    u8::try_from(pool.len()).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_valid_and_covers_the_hostile_cases() {
        let c = corpus();
        assert!(c.emails.iter().any(|e| e.chars().count() == 255));
        assert!(c.emails.iter().any(|e| e.chars().count() == 256));
        assert!(c.names.iter().any(|n| n.is_empty()));
        assert!(c.names.iter().any(|n| n.chars().count() == 256));
        assert!(c.access_tokens.iter().any(|t| t.len() > 4096));
        assert!(
            c.emails.iter().any(|e| e.contains('\u{308}')),
            "an NFD form"
        );
        assert!(c.emails.iter().any(|e| e.contains('İ')), "Turkish dotted I");
        assert!(
            c.provider_account_ids
                .iter()
                .any(|i| i.parse::<u64>().is_ok())
        );
        for pool in [
            &c.emails,
            &c.names,
            &c.provider_account_ids,
            &c.access_tokens,
            &c.verification_tokens,
        ] {
            assert!(!pool.is_empty() && pool.len() < 256);
        }
    }
}
