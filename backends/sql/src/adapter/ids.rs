//! Ids: integers in SQL, canonical decimal strings in the contract.

/// The row id an id string names, if it names one: the canonical decimal form of a
/// non-negative integer that fits `i64` (the widest SQL id). `"01"`, `" 1"`, `"+1"`, `"-1"`,
/// `"abc"` and numbers beyond `i64` name no row, as in the reference adapter.
pub fn parse_id(id: &str) -> Option<i64> {
    let n: u64 = id.parse().ok()?;
    if n.to_string() != id {
        return None;
    }
    i64::try_from(n).ok()
}

/// Whether a canonical id fits the 32-bit `user_id` columns (`INTEGER` in every dialect's
/// documented DDL but SQLite's).
pub fn fits_user_id_column(id: i64) -> bool {
    i32::try_from(id).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_decimals_are_ids() {
        assert_eq!(parse_id("0"), Some(0));
        assert_eq!(parse_id("42"), Some(42));
        assert_eq!(parse_id("9223372036854775807"), Some(i64::MAX));
        for bad in [
            "",
            "01",
            " 1",
            "1 ",
            "+1",
            "-1",
            "1.0",
            "0x1",
            "abc",
            "9223372036854775808",
            "99999999999999999999999",
        ] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
        assert!(fits_user_id_column(2_147_483_647));
        assert!(!fits_user_id_column(2_147_483_648));
    }
}
