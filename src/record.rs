//! Records by name: a customer's values given as `name = value` pairs, typed exactly as the
//! cells of a data file (`200万`, `92%`, `2026/11/1`), in the order [`Program::evaluate`] takes.

use crate::data::{Cell, CellParser};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::eval::{EvalError, Program, RelativeSpec};
use crate::outcome::Outcome;
use crate::value::{Label, Value};

/// One customer's values, ready to grade: one value per input ([`Program::inputs`]) and one per
/// relative grade ([`Program::relatives`], `Value::Missing` unless given by name).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub inputs: Vec<Value>,
    pub relatives: Vec<Value>,
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_string())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl RelativeSpec {
    /// The class named `text` (spaces around it ignored) as a value, if it is one of the labels.
    pub fn label(&self, text: &str) -> Option<Value> {
        let text = text.trim();
        self.labels.iter().position(|l| &**l == text).map(|rank| {
            Value::Label(Label {
                name: self.labels[rank].clone(),
                rank: rank as u32,
            })
        })
    }
}

impl Program {
    /// Builds a record from names and cells. A name is an input's name or one of its column
    /// names, or a relative grade's name (its value then one of the relative's labels, since a
    /// single record has no file to rank in). Each cell is parsed exactly as a data-file cell,
    /// with the same units and checks; an input left out is an empty cell (an error for a
    /// required input). Every problem is reported: an unknown name (with a did-you-mean) is
    /// `tier::usage::unknown_field`, a value that does not parse `tier::usage::value`, an
    /// unknown label `tier::usage::set`.
    pub fn record<N, C>(
        &self,
        pairs: impl IntoIterator<Item = (N, C)>,
    ) -> Result<Record, Vec<Diagnostic>>
    where
        N: AsRef<str>,
        C: Into<Cell>,
    {
        let inputs = self.inputs();
        let relatives = self.relatives();
        let mut cells: Vec<Cell> = vec![Cell::Empty; inputs.len()];
        let mut rel_values: Vec<Value> = vec![Value::Missing; relatives.len()];
        let mut errors = Vec::new();
        for (name, cell) in pairs {
            let name = name.as_ref();
            let cell = cell.into();
            let input_pos = inputs.iter().position(|i| {
                &*i.name == name
                    || i.field
                        .columns
                        .iter()
                        .any(|c| c.value.trim() == name.trim())
            });
            if let Some(i) = input_pos {
                cells[i] = cell;
                continue;
            }
            if let Some(r) = relatives.iter().position(|r| &*r.name == name) {
                let text = match &cell {
                    Cell::Text(t) => t.trim().to_string(),
                    _ => String::new(),
                };
                match relatives[r].label(&text) {
                    Some(label) => rel_values[r] = label,
                    None => errors.push(
                        Diagnostic::error(
                            Code::UsageSet,
                            format!("`{text}` is not a label of the relative grade {name}"),
                        )
                        .with_help(format!(
                            "use one of: {}",
                            relatives[r]
                                .labels
                                .iter()
                                .map(|l| l.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    ),
                }
                continue;
            }
            let candidates: Vec<&str> = inputs
                .iter()
                .map(|i| &*i.name)
                .chain(relatives.iter().map(|r| &*r.name))
                .collect();
            let d = Diagnostic::error(
                Code::UsageUnknownField,
                format!("the ruleset has no input named `{name}`"),
            );
            errors.push(
                match diagnostic::suggest(name, candidates.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!("inputs are: {}", candidates.join(", "))),
                },
            );
        }
        let mut values = Vec::with_capacity(inputs.len());
        for (spec, cell) in inputs.iter().zip(&cells) {
            let parser = CellParser::new(&spec.field, spec.grade_labels.as_deref());
            match parser.parse(cell) {
                Ok(v) => values.push(v),
                Err(reason) => {
                    errors.push(Diagnostic::error(
                        Code::UsageValue,
                        format!("{}: {reason}", spec.name),
                    ));
                    values.push(Value::Missing);
                }
            }
        }
        if errors.is_empty() {
            Ok(Record {
                inputs: values,
                relatives: rel_values,
            })
        } else {
            Err(errors)
        }
    }
}

impl Program {
    /// Grades one record with the full explanation ([`Program::evaluate`]): the relative grades
    /// are the ones given by name, missing otherwise (ranking needs a whole file: see
    /// [`Program::grade_all`]).
    pub fn grade(&self, record: &Record, as_of: jiff::civil::Date) -> Result<Outcome, EvalError> {
        self.evaluate(&record.inputs, &record.relatives, as_of)
    }
}
