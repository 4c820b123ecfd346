//! How the inputs of a ruleset map onto the columns of a file.

use crate::data::{self, Cell, InputMapping, RawRow, RowError};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::eval::Program;
use crate::value::Value;

/// How the inputs of the ruleset map onto the columns of the file, and which columns are kept.
pub struct ColumnMap {
    /// Typed parsing of a row's cells, one parser per input ([`data::InputMapping`]).
    pub mapping: InputMapping,
    /// For each input (declaration order): the column index, or None when absent (optional field).
    pub inputs: Vec<Option<usize>>,
    /// Columns copied to the output.
    pub keep: Vec<usize>,
}

impl ColumnMap {
    /// Matches the ruleset's inputs to the file's headers ([`data::find_column`]: case, spaces
    /// and full-width forms ignored). A required input without a column is an error before any
    /// row is read; an optional one a warning. `--keep` names are checked the same way.
    pub fn new(
        program: &Program,
        headers: &[String],
        keep: Option<&[String]>,
        file: &str,
    ) -> Result<(ColumnMap, Vec<Diagnostic>), Vec<Diagnostic>> {
        let fields: Vec<crate::ast::InputField> =
            program.inputs().iter().map(|i| i.field.clone()).collect();
        let labels = |scale: &str| {
            program
                .inputs()
                .iter()
                .find_map(|i| match &i.field.ty.kind {
                    crate::ast::TypeKind::Grade(s) if s.name == scale => i.grade_labels.clone(),
                    _ => None,
                })
        };
        let mapped = InputMapping::new(&fields, headers, &labels, file);
        let mut errors = Vec::new();
        let keep = match keep {
            None => (0..headers.len()).collect(),
            Some(cols) => {
                let mut v = Vec::new();
                for c in cols {
                    match data::find_column(headers, &[c.as_str()]) {
                        Some(i) => v.push(i),
                        None => {
                            let mut d = Diagnostic::error(
                                Code::DataColumnMissing,
                                format!("{file}: `--keep {c}`: no such column"),
                            );
                            if let Some(s) =
                                diagnostic::suggest(c, headers.iter().map(String::as_str))
                            {
                                d = d.with_help(format!("did you mean `{s}`?"));
                            }
                            errors.push(d);
                        }
                    }
                }
                v
            }
        };
        match mapped {
            Ok((mapping, warnings)) if errors.is_empty() => {
                let inputs = mapping.columns().collect();
                Ok((
                    ColumnMap {
                        mapping,
                        inputs,
                        keep,
                    },
                    warnings,
                ))
            }
            Ok(_) => Err(errors),
            Err(mut e) => {
                e.extend(errors);
                Err(e)
            }
        }
    }

    /// Types the cells of one row; every bad cell of the row is reported.
    pub fn record(&self, file: &str, row: &RawRow) -> Result<Vec<Value>, Vec<RowError>> {
        self.mapping.parse_row(row, file)
    }
}

/// The raw text of a cell, for the rejects report.
pub fn cell_text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Empty => None,
        Cell::Text(t) => Some(t.clone()),
        Cell::Number(n) => Some(n.to_string()),
        Cell::Bool(b) => Some(b.to_string()),
        Cell::Date(d) => Some(d.to_string()),
    }
}
