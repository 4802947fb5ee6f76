//! A server-sent events parser (the WHATWG event-stream format MCP uses), fed bytes as they
//! arrive. Each complete event is handed out with its type and data; a single event larger than
//! the limit is an error rather than unbounded memory.

use crate::error::{Error, Result};

/// The largest event accepted from an MCP server.
pub const MAX_EVENT: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: String,
    pub data: String,
}

#[derive(Default)]
pub struct Parser {
    buffer: Vec<u8>,
    kind: String,
    data: String,
}

impl Parser {
    /// Adds bytes and returns the events they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<Event>> {
        self.buffer.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
            let raw: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&raw);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() || !self.kind.is_empty() {
                    let data = std::mem::take(&mut self.data);
                    events.push(Event {
                        kind: match std::mem::take(&mut self.kind) {
                            k if k.is_empty() => "message".into(),
                            k => k,
                        },
                        data: data.strip_suffix('\n').unwrap_or(&data).to_string(),
                    });
                }
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line, ""),
            };
            match field {
                "event" => self.kind = value.to_string(),
                "data" => {
                    self.data.push_str(value);
                    self.data.push('\n');
                }
                _ => {} // comments (":"), id, retry
            }
        }
        if self.buffer.len() + self.data.len() > MAX_EVENT {
            return Err(Error::network(format!(
                "an MCP server sent an event larger than {} MiB",
                MAX_EVENT / 1024 / 1024
            )));
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_events_split_anywhere() {
        let stream = b": comment\r\nevent: endpoint\r\ndata: /messages?s=1\r\n\r\ndata: {\"a\":\ndata: 1}\n\n";
        for split in 0..stream.len() {
            let mut p = Parser::default();
            let mut events = p.feed(&stream[..split]).unwrap();
            events.extend(p.feed(&stream[split..]).unwrap());
            assert_eq!(
                events,
                [
                    Event {
                        kind: "endpoint".into(),
                        data: "/messages?s=1".into()
                    },
                    Event {
                        kind: "message".into(),
                        data: "{\"a\":\n1}".into()
                    },
                ],
                "split at {split}"
            );
        }
    }
}
