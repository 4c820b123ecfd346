//! Column mapping: which file column feeds which declared input, and one row's typed values.

use super::{find_column, CellParser, RawRow, RowError};
use crate::ast::InputField;
use crate::diagnostic::{suggest, Code, Diagnostic};
use crate::value::Value;
use std::sync::Arc;

/// One mapped input.
#[derive(Debug, Clone)]
struct Mapped {
    name: Arc<str>,
    /// Index into the row's cells; `None` when an optional (or defaulted) field has no column.
    column: Option<usize>,
    header: String,
    parser: CellParser,
}

/// The declared inputs of a ruleset mapped onto a file's headers.
#[derive(Debug, Clone)]
pub struct InputMapping {
    fields: Vec<Mapped>,
}

impl InputMapping {
    /// Maps `fields` onto `headers`: each field's `column` names (or its own name), by
    /// [`find_column`]. `grade_labels` gives the labels of a scale by name, best first, for
    /// `grade(SCALE)` fields. `file` names the file in messages.
    ///
    /// Every problem is reported, not the first: a required field without a column is an error
    /// ([`Code::DataColumnMissing`], with a did-you-mean among the headers); an optional or
    /// defaulted field without one is a warning, and its value is missing (or the default) on
    /// every row; a column found twice is an error ([`Code::DataColumnAmbiguous`]).
    pub fn new(
        fields: &[InputField],
        headers: &[String],
        grade_labels: &dyn Fn(&str) -> Option<Vec<Arc<str>>>,
        file: &str,
    ) -> Result<(InputMapping, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut mapped = Vec::with_capacity(fields.len());
        let mut diags = Vec::new();
        for f in fields {
            let names: Vec<&str> = if f.columns.is_empty() {
                vec![f.name.name.as_str()]
            } else {
                f.columns.iter().map(|c| c.value.as_str()).collect()
            };
            let labels = match &f.ty.kind {
                crate::ast::TypeKind::Grade(scale) => grade_labels(&scale.name),
                _ => None,
            };
            let parser = CellParser::new(f, labels.as_deref());
            let column = find_column(headers, &names);
            match column {
                Some(i) => {
                    let header = &headers[i];
                    let twice: Vec<usize> = headers
                        .iter()
                        .enumerate()
                        .filter(|(_, h)| *h == header)
                        .map(|(j, _)| j + 1)
                        .collect();
                    if twice.len() > 1 {
                        let at: Vec<String> = twice.iter().map(|n| n.to_string()).collect();
                        diags.push(
                            Diagnostic::error(
                                Code::DataColumnAmbiguous,
                                format!(
                                    "column `{header}` (input `{}`) appears {} times in {file}, as columns {}",
                                    f.name.name,
                                    twice.len(),
                                    at.join(", ")
                                ),
                            )
                            .with_help("rename the duplicate columns in the file so each name is unique"),
                        );
                    }
                }
                None => {
                    let wanted = names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(" or ");
                    let optional = parser.accepts_empty();
                    let mut d = if optional {
                        Diagnostic::warning(
                            Code::DataColumnMissing,
                            format!(
                                "{file} has no column {wanted} for input `{}`; every row takes its {}",
                                f.name.name,
                                if f.default.is_some() { "default" } else { "missing value" }
                            ),
                        )
                    } else {
                        Diagnostic::error(
                            Code::DataColumnMissing,
                            format!("{file} has no column {wanted} for input `{}`", f.name.name),
                        )
                    };
                    let close = names
                        .iter()
                        .find_map(|n| suggest(n, headers.iter().map(String::as_str)));
                    d = match close {
                        Some(s) => d.with_help(format!(
                            "did you mean `{s}`? name it in the ruleset: column \"{s}\""
                        )),
                        None => d.with_help("add the column to the file, or name the file's column with `column \"...\"`"),
                    };
                    d = d.with_note(format!("the file's columns: {}", headers.join(", ")));
                    diags.push(d);
                }
            }
            mapped.push(Mapped {
                name: Arc::from(f.name.name.as_str()),
                header: column
                    .map(|i| headers[i].clone())
                    .unwrap_or_else(|| names[0].to_string()),
                column,
                parser,
            });
        }
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diags);
        }
        Ok((InputMapping { fields: mapped }, diags))
    }

    /// The inputs' names, in declaration order (the order of [`InputMapping::parse_row`]'s values).
    pub fn names(&self) -> impl Iterator<Item = &Arc<str>> {
        self.fields.iter().map(|f| &f.name)
    }

    /// The file columns used, as indexes into the row's cells (for copying them to the output).
    pub fn columns(&self) -> impl Iterator<Item = Option<usize>> + '_ {
        self.fields.iter().map(|f| f.column)
    }

    /// One row's typed values, in declaration order; or every cell error of the row.
    pub fn parse_row(&self, row: &RawRow, file: &str) -> Result<Vec<Value>, Vec<RowError>> {
        let mut values = Vec::with_capacity(self.fields.len());
        let mut errors = Vec::new();
        for f in &self.fields {
            let empty = super::Cell::Empty;
            let cell = f.column.and_then(|i| row.cells.get(i)).unwrap_or(&empty);
            match f.parser.parse(cell) {
                Ok(v) => values.push(v),
                Err(reason) => errors.push(RowError {
                    file: file.to_string(),
                    row: row.row,
                    column: Some(f.header.clone()),
                    raw: match cell {
                        super::Cell::Empty => None,
                        c => Some(c.to_text()),
                    },
                    reason,
                }),
            }
        }
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(errors)
        }
    }
}
