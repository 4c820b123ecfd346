//! Data readers and writers. (Placeholder: replaced by the data work.)
