//! Rules on the adapter as a whole: its own declaration.

use super::body;
use crate::context::Ctx;
use crate::rule::{Area, Rule, RuleResult};
use crate::{check, check_eq};

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::must(
            Area::Adapter,
            "adapter.capabilities.match-declaration",
            "cap:declaration",
            "the adapter's own capabilities() equal what its factory declares, which every other rule is judged by",
            body!(match_declaration),
        ),
        Rule::must(
            Area::Adapter,
            "adapter.display-name.present",
            "§1; AJS#1",
            "display_name() names the adapter (v3 core prefixes its error logs with it; basic-tests require one)",
            body!(display_name_present),
        ),
    ]
}

async fn display_name_present(c: Ctx) -> RuleResult {
    let name = c.adapter.display_name();
    check!(
        !name.trim().is_empty(),
        "display_name() is empty: v3 core logs adapter errors as <displayName>_<METHOD>_ERROR"
    );
    Ok(())
}

async fn match_declaration(c: Ctx) -> RuleResult {
    check_eq!(
        c.adapter.capabilities(),
        c.caps,
        "the adapter's capabilities() against the factory's declaration"
    );
    Ok(())
}
