//! The `Display` table of a [`Diff`].

use super::Diff;
use std::fmt;

impl fmt::Display for Diff {
    /// A summary line, then an aligned table `status | table | object | detail`, errors
    /// first. An empty diff says so in one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.entries.is_empty() {
            return f.write_str("schema matches: no differences\n");
        }
        let errors = self.errors().count();
        let allowed = self.entries.len() - errors;
        writeln!(
            f,
            "{errors} error{}, {allowed} allowed difference{}",
            if errors == 1 { "" } else { "s" },
            if allowed == 1 { "" } else { "s" }
        )?;
        let rows: Vec<[String; 4]> = self
            .errors()
            .chain(self.allowed())
            .map(|e| {
                [
                    if e.is_error() { "error" } else { "allowed" }.to_owned(),
                    e.table().to_owned(),
                    e.object(),
                    e.detail(),
                ]
            })
            .collect();
        let header = ["status", "table", "object", "detail"].map(str::to_owned);
        let mut widths = header.clone().map(|h| h.len());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.len());
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, row: &[String; 4]| {
            writeln!(
                f,
                "{:w0$}  {:w1$}  {:w2$}  {}",
                row[0],
                row[1],
                row[2],
                row[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            )
        };
        line(f, &header)?;
        line(f, &widths.map(|w| "-".repeat(w)))?;
        for row in &rows {
            line(f, row)?;
        }
        Ok(())
    }
}
