//! The axes along which two spellings of a key can differ while a careless comparison holds
//! them equal: letter case, a trailing blank (what `PAD SPACE` collations ignore), a leading
//! blank, an accent, the character width (full-width forms) and the Unicode normal form. Every
//! rule on keys (`catalogue/keys.rs`) varies its keys along [`Axis::ALL`], and the
//! deliberately broken adapters that ignore an axis fold it with [`Axis::fold`]: one table
//! for both.
//!
//! Whether two spellings are one key is the contract's: always different for tokens, ids and
//! hashes; for e-mail addresses and verification identifiers, what the adapter declares
//! ([`EmailMatching::same`](nextauth_adapter::EmailMatching::same)).

use std::fmt;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One way two spellings of a key differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Axis {
    /// Letter case: `josé@x.org` and `JOSÉ@X.ORG`.
    Case,
    /// A trailing blank: `a@x.org` and `a@x.org `, equal under `PAD SPACE` collations
    /// (MySQL's and MariaDB's `utf8mb4_bin`, every SQL Server `=`).
    TrailingBlank,
    /// A leading blank: `a@x.org` and ` a@x.org` (what a `TRIM` ignores).
    LeadingBlank,
    /// An accent: `josé` and `jose`, a precomposed letter and another one (accent-insensitive
    /// collations: `utf8mb4_general_ci`, `_unicode_ci`, `_0900_ai_ci`, SQL Server's `_AI_`).
    Accent,
    /// Width: `j` and the full-width `ｊ` (U+FF4A) (SQL Server's width-insensitive collations,
    /// NFKC normalisation).
    Width,
    /// The Unicode normal form: `é` (U+00E9, NFC) and `e` followed by U+0301 (NFD): the same
    /// text to a reader, different code points (normalising writers, `_unicode_ci`).
    NormalForm,
}

impl Axis {
    /// Every axis, in report order.
    pub const ALL: [Axis; 6] = [
        Axis::Case,
        Axis::TrailingBlank,
        Axis::LeadingBlank,
        Axis::Accent,
        Axis::Width,
        Axis::NormalForm,
    ];

    /// The axis as reports name it.
    pub fn name(self) -> &'static str {
        match self {
            Axis::Case => "letter case",
            Axis::TrailingBlank => "a trailing blank",
            Axis::LeadingBlank => "a leading blank",
            Axis::Accent => "an accent",
            Axis::Width => "full width",
            Axis::NormalForm => "the normal form (NFC/NFD)",
        }
    }

    /// `key` spelled differently along this axis only, or `None` when it has no other
    /// spelling on it (a lower-case hex token has a single normal form).
    pub fn vary(self, key: &str) -> Option<String> {
        let varied = match self {
            Axis::Case => {
                let upper = key.to_uppercase();
                if upper == key {
                    key.to_lowercase()
                } else {
                    upper
                }
            }
            Axis::TrailingBlank => format!("{key} "),
            Axis::LeadingBlank => format!(" {key}"),
            Axis::Accent => vary_accent(key)?,
            Axis::Width => {
                let at = key.char_indices().find(|(_, c)| c.is_ascii_graphic())?.0;
                let c = key[at..].chars().next()?;
                let wide = char::from_u32(u32::from(c) - 0x21 + 0xFF01)?;
                format!("{}{wide}{}", &key[..at], &key[at + c.len_utf8()..])
            }
            Axis::NormalForm => {
                let nfd: String = key.nfd().collect();
                if nfd == key { key.nfc().collect() } else { nfd }
            }
        };
        (varied != key).then_some(varied)
    }

    /// `s` as a comparison that ignores this axis sees it: two strings equal after folding
    /// are one key to it.
    pub fn fold(self, s: &str) -> String {
        match self {
            Axis::Case => s.to_lowercase(),
            Axis::TrailingBlank => s.trim_end_matches(' ').to_owned(),
            Axis::LeadingBlank => s.trim_start_matches(' ').to_owned(),
            Axis::Accent => s.nfd().filter(|c| !is_combining_mark(*c)).nfc().collect(),
            Axis::Width => s.chars().map(narrow).collect(),
            Axis::NormalForm => s.nfc().collect(),
        }
    }

    /// `s` folded along every axis of `axes`, in order.
    pub fn fold_all(axes: &[Axis], s: &str) -> String {
        axes.iter().fold(s.to_owned(), |s, axis| axis.fold(&s))
    }
}

impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every spelling of `key` that differs from it along exactly one axis, with the axis.
pub fn variants(key: &str) -> Vec<(Axis, String)> {
    Axis::ALL
        .iter()
        .filter_map(|&axis| axis.vary(key).map(|v| (axis, v)))
        .collect()
}

/// Precomposed letters with an accent, and the letter without it.
const ACCENTED: &[(char, char)] = &[
    ('á', 'a'),
    ('ḃ', 'b'),
    ('ç', 'c'),
    ('ḋ', 'd'),
    ('é', 'e'),
    ('ḟ', 'f'),
    ('í', 'i'),
    ('ñ', 'n'),
    ('ó', 'o'),
    ('ú', 'u'),
    ('É', 'E'),
    ('Á', 'A'),
];

/// The first accented letter of `key` without its accent, or else its first letter that has
/// an accented form with it; `None` when neither is found.
fn vary_accent(key: &str) -> Option<String> {
    let (at, from, to) = key
        .char_indices()
        .find_map(|(i, c)| {
            ACCENTED
                .iter()
                .find(|(accented, _)| *accented == c)
                .map(|&(a, plain)| (i, a, plain))
        })
        .or_else(|| {
            key.char_indices().find_map(|(i, c)| {
                ACCENTED
                    .iter()
                    .find(|(_, plain)| *plain == c)
                    .map(|&(accented, plain)| (i, plain, accented))
            })
        })?;
    Some(format!(
        "{}{to}{}",
        &key[..at],
        &key[at + from.len_utf8()..]
    ))
}

/// A full-width form as its ASCII letter; every other character as it is.
fn narrow(c: char) -> char {
    match u32::from(c) {
        wide @ 0xFF01..=0xFF5E => char::from_u32(wide - 0xFF01 + 0x21).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nextauth_adapter::EmailMatching;

    const EMAIL: &str = "jos\u{e9}.key@example.com";

    #[test]
    fn every_axis_varies_an_address_and_folds_back() {
        let variants = variants(EMAIL);
        assert_eq!(variants.len(), Axis::ALL.len(), "{variants:?}");
        for (axis, v) in &variants {
            assert_ne!(v, EMAIL);
            assert_eq!(axis.fold(v), axis.fold(EMAIL), "{axis}: {v:?}");
            for other in Axis::ALL
                .iter()
                .filter(|a| *a != axis && **a != Axis::Accent)
            {
                // Only the accent fold also folds the normal form (it decomposes).
                if !(*other == Axis::NormalForm && *axis == Axis::Accent) {
                    assert_ne!(
                        other.fold(v),
                        other.fold(EMAIL),
                        "{other} folds {axis}: {v:?}"
                    );
                }
            }
        }
        assert_eq!(
            Axis::Accent.vary(EMAIL).as_deref(),
            Some("jose.key@example.com")
        );
        assert_eq!(
            Axis::NormalForm.vary(EMAIL).as_deref(),
            Some("jose\u{301}.key@example.com")
        );
        assert_eq!(
            Axis::Width.vary(EMAIL).as_deref(),
            Some("\u{ff4a}os\u{e9}.key@example.com")
        );
    }

    #[test]
    fn a_hex_token_has_no_other_normal_form() {
        let token = "0a1b2c3d";
        assert_eq!(Axis::NormalForm.vary(token), None);
        assert_eq!(Axis::Accent.vary(token).as_deref(), Some("0\u{e1}1b2c3d"));
        assert_eq!(Axis::Case.vary(token).as_deref(), Some("0A1B2C3D"));
        assert_eq!(Axis::Accent.vary("0123"), None);
    }

    #[test]
    fn the_declarations_decide_the_address_axes() {
        let same = |m: EmailMatching| -> Vec<Axis> {
            variants(EMAIL)
                .into_iter()
                .filter(|(_, v)| m.same(EMAIL, v))
                .map(|(a, _)| a)
                .collect()
        };
        assert_eq!(same(EmailMatching::Exact), vec![]);
        assert_eq!(same(EmailMatching::CaseInsensitive), vec![Axis::Case]);
        assert_eq!(
            same(EmailMatching::MysqlGeneralCi),
            vec![Axis::Case, Axis::TrailingBlank, Axis::Accent]
        );
    }
}
