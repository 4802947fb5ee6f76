//! Format editors: apply key operations to a file's text, changing nothing else they need not.

pub mod json;
