//! Evaluation. (Placeholder: replaced by the evaluator work.)
