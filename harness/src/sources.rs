//! Rule sources: every citation a rule gives resolves to an anchor of the project's
//! specification (`docs/specification.md`) or to a public URL.
//!
//! | citation | resolves to |
//! | --- | --- |
//! | `§3.13`, `§5.4b step 9`, `§6 EmailSignin` | `docs/specification.md#s3.13`, `#s5.4b`, `#s6` |
//! | `G5`, `G24 (#640)` | `#g5`, `#g24` |
//! | `AJS#13` | `#ajs-13` |
//! | `H7` | `#h7` |
//! | `cap:delete-user` | `#cap-delete-user` |
//! | `next-auth#1644` | `https://github.com/nextauthjs/next-auth/issues/1644` |
//! | `adapters#187` | `https://github.com/nextauthjs/adapters/issues/187` |
//! | `https://…` | itself |

use std::fmt;

/// The specification's path in the repository.
pub const SPECIFICATION: &str = "docs/specification.md";

/// Where one citation points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An anchor (`<a id="…">`) of the specification.
    Anchor(String),
    /// A public URL.
    Url(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Anchor(id) => write!(f, "{SPECIFICATION}#{id}"),
            Target::Url(url) => f.write_str(url),
        }
    }
}

/// A citation that is not of a known form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolvable(pub String);

impl fmt::Display for Unresolvable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a citation of the specification or a public URL",
            self.0
        )
    }
}

impl std::error::Error for Unresolvable {}

/// The citations of a rule's `source`, split at `;`.
pub fn citations(source: &str) -> impl Iterator<Item = &str> {
    source.split(';').map(str::trim).filter(|c| !c.is_empty())
}

/// Where `citation` points.
pub fn resolve(citation: &str) -> Result<Target, Unresolvable> {
    let bad = || Unresolvable(citation.to_owned());
    let head = citation.split_whitespace().next().ok_or_else(bad)?;
    if citation.starts_with("https://") && !citation.contains(char::is_whitespace) {
        return Ok(Target::Url(citation.to_owned()));
    }
    if let Some(section) = head.strip_prefix('§') {
        let valid = section.split('.').all(|part| {
            let digits = part.trim_end_matches(|c: char| c.is_ascii_lowercase());
            !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
                && part.len() - digits.len() <= 1
        });
        return valid
            .then(|| Target::Anchor(format!("s{section}")))
            .ok_or_else(bad);
    }
    if let Some(n) = head.strip_prefix("AJS#") {
        return number(n)
            .map(|n| Target::Anchor(format!("ajs-{n}")))
            .ok_or_else(bad);
    }
    if let Some(name) = head.strip_prefix("cap:") {
        let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        return valid
            .then(|| Target::Anchor(format!("cap-{name}")))
            .ok_or_else(bad);
    }
    for (repo, owner_repo) in [
        ("next-auth#", "nextauthjs/next-auth"),
        ("adapters#", "nextauthjs/adapters"),
    ] {
        if let Some(n) = head.strip_prefix(repo) {
            return number(n)
                .map(|n| Target::Url(format!("https://github.com/{owner_repo}/issues/{n}")))
                .ok_or_else(bad);
        }
    }
    for (prefix, anchor) in [("G", "g"), ("H", "h")] {
        if let Some(n) = head.strip_prefix(prefix)
            && let Some(n) = number(n)
        {
            return Ok(Target::Anchor(format!("{anchor}{n}")));
        }
    }
    Err(bad())
}

fn number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Every anchor id (`<a id="…"></a>`) of a Markdown text.
pub fn anchors(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = markdown;
    while let Some(at) = rest.find("<a id=\"") {
        rest = &rest[at + 7..];
        if let Some(end) = rest.find('"') {
            out.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_resolves() {
        let anchor = |s: &str| Ok(Target::Anchor(s.to_owned()));
        assert_eq!(resolve("§3.13"), anchor("s3.13"));
        assert_eq!(resolve("§5.4b step 9"), anchor("s5.4b"));
        assert_eq!(resolve("§6 EmailSignin"), anchor("s6"));
        assert_eq!(resolve("§2"), anchor("s2"));
        assert_eq!(resolve("G24 (#640)"), anchor("g24"));
        assert_eq!(resolve("AJS#13"), anchor("ajs-13"));
        assert_eq!(resolve("H7"), anchor("h7"));
        assert_eq!(resolve("cap:delete-user"), anchor("cap-delete-user"));
        assert_eq!(
            resolve("next-auth#1644"),
            Ok(Target::Url(
                "https://github.com/nextauthjs/next-auth/issues/1644".into()
            ))
        );
        assert_eq!(
            resolve("adapters#187").map(|t| t.to_string()),
            Ok("https://github.com/nextauthjs/adapters/issues/187".into())
        );
    }

    #[test]
    fn planning_documents_and_loose_words_do_not_resolve() {
        for bad in [
            "anchors §1.5",
            "issue 4",
            "capabilities",
            "basic-tests",
            "PostgreSQL text",
            "§",
            "§x.1",
            "G",
            "AJS#",
            "cap:Delete",
            "next-auth#12a",
        ] {
            assert!(resolve(bad).is_err(), "{bad} resolved");
        }
    }

    #[test]
    fn anchors_are_read_from_markdown() {
        let md = "<a id=\"s1\"></a>\n## 1\ntext <a id=\"g5\"></a>";
        assert_eq!(anchors(md), vec!["s1", "g5"]);
    }
}
