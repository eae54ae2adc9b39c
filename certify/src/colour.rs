//! Colour: when the output is coloured (`--color`, `NO_COLOR`, `CLICOLOR_FORCE`) and the few
//! styles the text report uses. Text is always written styled; [`crate::output::Stdout`]
//! strips the styles when colour is off.

use crate::cli::ColorWhen;
use anstyle::{AnsiColor, Style};
use std::fmt::Display;

/// The stream colour choice for `--color`: `auto` defers to the terminal and the environment.
pub fn choice(when: ColorWhen) -> anstream::ColorChoice {
    match when {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    }
}

/// Passing counts and conforming verdicts.
pub const PASS: Style = AnsiColor::Green.on_default();
/// Failing counts, failing rules and verdicts that do not conform.
pub const FAIL: Style = AnsiColor::Red.on_default().bold();
/// Findings and SHOULD warnings.
pub const WARN: Style = AnsiColor::Yellow.on_default().bold();
/// Headings: a backend's report line.
pub const HEADING: Style = Style::new().bold();
/// Secondary text: not-applicable counts, report paths.
pub const DIM: Style = Style::new().dimmed();

/// `text` in `style` (ANSI escapes; stripped on output when colour is off).
pub fn paint(style: Style, text: impl Display) -> String {
    format!("{style}{text}{style:#}")
}
