//! `nextauth-certify rules` and `defects`: the catalogue and the broken adapters as tables.

use crate::cli::{RulesArgs, RulesFormat};
use nextauth_adapter_harness::broken::Defect;
use nextauth_adapter_harness::catalogue;
use nextauth_adapter_harness::runner::PROPERTY_ID;
use std::process::ExitCode;

/// Prints the catalogue.
pub fn run(args: &RulesArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let rules = catalogue::all();
    let mut rows: Vec<[String; 5]> = rules
        .iter()
        .map(|r| {
            [
                r.id.to_owned(),
                r.level.to_string(),
                r.area.to_string(),
                r.source.to_owned(),
                r.summary.to_owned(),
            ]
        })
        .collect();
    rows.push([
        PROPERTY_ID.to_owned(),
        "MUST".into(),
        "properties".into(),
        "issue 4; anchors §0.3".into(),
        "random sequences behave as the reference with the same capabilities".into(),
    ]);
    match args.format {
        RulesFormat::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|[id, level, area, source, summary]| serde_json::json!({"id": id, "level": level, "area": area, "source": source, "summary": summary}))
                .collect();
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        RulesFormat::Markdown => {
            println!("| id | level | area | source | checks |\n| --- | --- | --- | --- | --- |");
            for [id, level, area, source, summary] in &rows {
                println!(
                    "| `{id}` | {level} | {area} | {source} | {} |",
                    summary.replace('|', "\\|")
                );
            }
        }
        RulesFormat::Table => {
            let w = rows.iter().map(|r| r[0].len()).max().unwrap_or(0);
            let ws = rows.iter().map(|r| r[3].len()).max().unwrap_or(0);
            println!(
                "{:<w$}  {:<6}  {:<12}  {:<ws$}",
                "id", "level", "area", "source"
            );
            for [id, level, area, source, _] in &rows {
                println!("{id:<w$}  {level:<6}  {area:<12}  {source:<ws$}");
            }
            let must = rows.iter().filter(|r| r[1] == "MUST").count();
            println!(
                "\n{} rules: {must} MUST, {} SHOULD",
                rows.len(),
                rows.len() - must
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the deliberately broken adapters.
pub fn defects() -> Result<ExitCode, Box<dyn std::error::Error>> {
    for d in Defect::ALL {
        let caught = d.caught_by();
        println!(
            "{:<34} caught by {}",
            d.name(),
            if caught.is_empty() {
                "the property test only".to_owned()
            } else {
                caught.join(", ")
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
