//! Where each key of a YAML (or JSON) document is: the line of every mapping key and list item,
//! from `saphyr-parser`'s events, so a problem found on the parsed data can name its line.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser};

/// The 1-based line of every node of the first document, by path (keys, and list indices as
/// text).
#[derive(Debug, Default)]
pub(crate) struct Lines(HashMap<Vec<String>, usize>);

enum Frame {
    Map {
        path: Vec<String>,
        key: Option<String>,
    },
    Seq {
        path: Vec<String>,
        next: usize,
    },
}

impl Lines {
    /// Reads the positions; a syntax error ends the map where it occurs.
    pub(crate) fn new(text: &str) -> Lines {
        let mut map = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut seen_document = false;
        for item in Parser::new_from_str(text) {
            let Ok((event, span)) = item else { break };
            let line = span.start.line();
            match event {
                Event::DocumentStart(_) => {
                    if seen_document {
                        break;
                    }
                    seen_document = true;
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let path = node_path(&mut stack);
                    map.entry(path.clone()).or_insert(line);
                    stack.push(match event {
                        Event::MappingStart(..) => Frame::Map { path, key: None },
                        _ => Frame::Seq { path, next: 0 },
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                Event::Scalar(value, ..) => {
                    if let Some(Frame::Map {
                        path,
                        key: key @ None,
                    }) = stack.last_mut()
                    {
                        let k = match value {
                            Cow::Borrowed(s) => s.to_string(),
                            Cow::Owned(s) => s,
                        };
                        let mut p = path.clone();
                        p.push(k.clone());
                        map.entry(p).or_insert(line);
                        *key = Some(k);
                    } else {
                        let path = node_path(&mut stack);
                        map.entry(path).or_insert(line);
                    }
                }
                Event::Alias(_) => {
                    let path = node_path(&mut stack);
                    map.entry(path).or_insert(line);
                }
                _ => {}
            }
        }
        Lines(map)
    }

    /// The line of exactly `path`.
    pub(crate) fn get(&self, path: &[String]) -> Option<usize> {
        self.0.get(path).copied()
    }

    /// The line of `path`, else of its nearest ancestor that has one.
    pub(crate) fn line(&self, path: &[String]) -> Option<usize> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.0.get(&path[..n]).copied())
    }
}

/// The path of the node that starts now, consuming its slot in the parent.
fn node_path(stack: &mut [Frame]) -> Vec<String> {
    match stack.last_mut() {
        None => Vec::new(),
        Some(Frame::Map { path, key }) => {
            let mut p = path.clone();
            p.push(key.take().unwrap_or_default());
            p
        }
        Some(Frame::Seq { path, next }) => {
            let mut p = path.clone();
            p.push(next.to_string());
            *next += 1;
            p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn finds_keys_and_items_in_block_and_flow_style() {
        let l = Lines::new(
            "name: kimai\ningress:\n  host: a\n  tls: { mode: x }\nlist:\n  - a\n  - b\n",
        );
        assert_eq!(l.line(&p(&["name"])), Some(1));
        assert_eq!(l.line(&p(&["ingress", "host"])), Some(3));
        assert_eq!(l.line(&p(&["ingress", "tls", "mode"])), Some(4));
        assert_eq!(l.line(&p(&["list", "1"])), Some(7));
        assert_eq!(l.line(&p(&["ingress", "nope"])), Some(2));
    }

    #[test]
    fn reads_json() {
        let l = Lines::new("{\n  \"name\": \"k\",\n  \"app\": {\n    \"replicas\": 2\n  }\n}\n");
        assert_eq!(l.line(&p(&["app", "replicas"])), Some(4));
    }
}
