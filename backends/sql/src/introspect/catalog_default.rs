//! Column defaults as catalogs spell them, mapped to [`ColumnDefault`].

use crate::model::ColumnDefault;

/// Reads a catalog's default text. `None` and the literal `NULL` (MariaDB's spelling of
/// "no default" for a nullable column) are no default; every "now" function of the four
/// dialects, with or without precision or wrapping parentheses, is
/// [`ColumnDefault::CurrentTimestamp`]; anything else is kept verbatim.
pub fn parse_default(text: Option<&str>) -> Option<ColumnDefault> {
    let raw = text?.trim();
    let mut inner = raw;
    while let Some(stripped) = inner.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        inner = stripped.trim();
    }
    if inner.is_empty() || inner.eq_ignore_ascii_case("null") {
        return None;
    }
    let lower = inner.to_ascii_lowercase();
    let function = lower.split('(').next().unwrap_or_default().trim();
    let now = matches!(
        function,
        "current_timestamp"
            | "now"
            | "localtimestamp"
            | "getdate"
            | "getutcdate"
            | "sysdatetime"
            | "sysutcdatetime"
            | "utc_timestamp"
    );
    Some(if now {
        ColumnDefault::CurrentTimestamp
    } else {
        ColumnDefault::Other(raw.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_now_spelling_is_current_timestamp() {
        for text in [
            "CURRENT_TIMESTAMP",
            "current_timestamp(6)",
            "now()",
            "(getdate())",
            "(sysutcdatetime())",
            "(CURRENT_TIMESTAMP)",
        ] {
            assert_eq!(
                parse_default(Some(text)),
                Some(ColumnDefault::CurrentTimestamp),
                "{text}"
            );
        }
    }

    #[test]
    fn null_and_others() {
        assert_eq!(parse_default(None), None);
        assert_eq!(parse_default(Some("NULL")), None);
        assert_eq!(
            parse_default(Some("'abc'::character varying")),
            Some(ColumnDefault::Other("'abc'::character varying".into()))
        );
    }
}
