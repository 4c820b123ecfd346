//! A table for the terminal (comfy-table measures CJK text by display width). Rows are
//! buffered and the table is printed by `finish`.

use super::{row_values, write_error, OutputColumns, RowSink, Target};
use crate::data::Cell;
use crate::diagnostic::Diagnostic;
use crate::outcome::Outcome;
use comfy_table::{presets, ContentArrangement, Table};
use std::io::Write;
use std::path::Path;

pub(crate) struct TableSink {
    target: Target,
    columns: OutputColumns,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl TableSink {
    pub(crate) fn new(target: Target, columns: OutputColumns, headers: Vec<String>) -> Self {
        TableSink {
            target,
            columns,
            headers,
            rows: Vec::new(),
        }
    }
}

/// Renders a table. `width`: wrap to this many columns (a terminal's width); `None`: no wrapping
/// (a file, a pipe).
pub(crate) fn render_table(headers: &[String], rows: &[Vec<String>], width: Option<u16>) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.force_no_tty();
    match width {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(w);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t.set_header(headers);
    for r in rows {
        t.add_row(r);
    }
    let mut s = t.to_string();
    s.push('\n');
    s
}

impl RowSink for TableSink {
    fn write_row(&mut self, kept: &[Cell], outcome: &Outcome) -> Result<(), Diagnostic> {
        let values = row_values(&self.columns, kept, outcome);
        let words = self.columns.words();
        self.rows
            .push(values.iter().map(|v| v.text(words)).collect());
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), Diagnostic> {
        let TableSink {
            mut target,
            headers,
            rows,
            ..
        } = *self;
        // Wrap to the terminal only when printing to one.
        let width = if target.is_stdout() {
            terminal_width()
        } else {
            None
        };
        let text = render_table(&headers, &rows, width);
        let name = target.name();
        target
            .write_all(text.as_bytes())
            .map_err(|e| write_error(Path::new(&name), &e))?;
        target.commit()
    }
}

/// The terminal's width, when stdout is a terminal.
fn terminal_width() -> Option<u16> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let probe = Table::new();
    probe.width()
}
