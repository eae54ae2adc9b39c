//! Rules on the adapter as a whole: its own declaration.

use super::body;
use crate::check_eq;
use crate::context::Ctx;
use crate::rule::{Area, Rule, RuleResult};

pub(super) fn rules() -> Vec<Rule> {
    vec![Rule::must(
        Area::Adapter,
        "adapter.capabilities.match-declaration",
        "cap:declaration",
        "the adapter's own capabilities() equal what its factory declares, which every other rule is judged by",
        body!(match_declaration),
    )]
}

async fn match_declaration(c: Ctx) -> RuleResult {
    check_eq!(
        c.adapter.capabilities(),
        c.caps,
        "the adapter's capabilities() against the factory's declaration"
    );
    Ok(())
}
