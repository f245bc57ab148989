//! The YAML writer's fast path: a `serde::Serializer` that writes the text [`super::emit`] writes
//! for `serde_json::to_value(value)`, straight from the `Serialize` calls, without building the
//! `serde_json::Value` tree first (its allocations, key hashing and drop were most of a
//! renderer's time).
//!
//! It mirrors `serde_json`'s value serializer (with `preserve_order`: keys in insertion order)
//! for what the renderers write: structs, maps with string keys, sequences and tuples, options,
//! unit variants, newtype structs and variants, strings, numbers and booleans. Anything else
//! returns `None` and the caller takes the long way, so the output is never different:
//! - a key that is not a string (`serde_json` turns numbers and booleans into key strings);
//! - a key written twice in one map (a `#[serde(flatten)]` clash: `serde_json` keeps the first
//!   position and the last value);
//! - bytes, tuple and struct variants, `serde_json`'s own private structs, and any error.
//!
//! Layout decisions that `emit` makes on the finished tree are taken when a container closes:
//! an empty map or sequence is written as `{}` / `[]` on its key's line (and may carry a
//! trailing comment, as a scalar does); a non-empty one in a sequence is written at the item's
//! indentation plus two, and its first two spaces at the item's indentation become `- `,
//! which is what `emit` does by writing it to a buffer and cutting that prefix off.
//!
//! Comments are looked up only inside containers whose path some comment path starts with
//! (one ordered-map range query when the container opens), so most of a file pays nothing
//! for them.

use serde::ser::{self, Impossible, Serialize};

use super::{push_comment, push_quoted_if_needed, push_scalar, push_spaces, push_str_scalar};
use super::{Comments, Value};

/// `value` as [`super::emit`] writes `serde_json::to_value(value)`, or `None` when this writer
/// does not take it on (see the module docs).
pub(super) fn to_yaml<T: Serialize + ?Sized>(
    value: &T,
    header: &str,
    comments: &Comments,
) -> Option<String> {
    // Below 1 KiB: glibc serves it from a small bin (a larger first request sweeps the fast
    // bins every time); most documents fit, larger ones grow.
    let mut out = String::with_capacity(1000);
    for line in header.lines() {
        push_comment(&mut out, 0, line);
    }
    let mut w = Writer {
        out,
        path: String::new(),
        comments,
        keys: String::with_capacity(256),
        key_ranges: Vec::with_capacity(32),
    };
    let look = !comments.is_empty();
    let at = At::Top;
    value
        .serialize(Ser {
            w: &mut w,
            at,
            look,
        })
        .ok()?;
    Some(w.out)
}

/// This writer does not take the value on; the caller writes it the long way.
#[derive(Debug)]
pub(super) struct Unsupported;

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not written by the streaming YAML writer")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        Unsupported
    }
}

type Result<T = ()> = std::result::Result<T, Unsupported>;

/// The text so far and what `emit` would know at this point of the tree.
struct Writer<'c> {
    out: String,
    /// The comment path of the current node (`/a/0/b`), kept where comments may apply.
    path: String,
    comments: &'c Comments,
    /// The keys of the maps being written (innermost last), to find a key written twice:
    /// each key's hash and its range in `keys`.
    keys: String,
    key_ranges: Vec<(u32, usize, usize)>,
}

impl Writer<'_> {
    /// True when a comment path starts with the current path and `/`: only then can an entry
    /// of the container opening here, or of one inside it, have a comment.
    fn comments_under(&mut self) -> bool {
        use std::ops::Bound;
        let len = self.path.len();
        self.path.push('/');
        let prefix = self.path.as_str();
        let found = self
            .comments
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .next()
            .is_some_and(|(k, _)| k.starts_with(prefix));
        self.path.truncate(len);
        found
    }

    /// Writes a scalar where `at` says, as `emit` does: `f(out, indent)` appends the scalar's
    /// text for a block indentation of `indent`. `look`: the path may have a trailing comment.
    fn scalar(&mut self, at: At, look: bool, f: impl FnOnce(&mut String, usize)) {
        match at {
            At::Top => {
                f(&mut self.out, 0);
                self.out.push('\n');
            }
            At::Value { indent } => {
                // The key's line is written up to the colon.
                self.out.push(' ');
                let start = self.out.len();
                f(&mut self.out, indent + 2);
                if look && !self.out[start..].contains('\n') {
                    let len = self.path.len();
                    self.path.push('#');
                    let trailing = self
                        .comments
                        .get(self.path.as_str())
                        .and_then(|c| c.lines().next());
                    if let Some(c) = trailing {
                        self.out.push_str(" # ");
                        self.out.push_str(c.trim_end());
                    }
                    self.path.truncate(len);
                }
                self.out.push('\n');
            }
            At::Item { indent } => {
                push_spaces(&mut self.out, indent);
                self.out.push_str("- ");
                f(&mut self.out, indent + 2);
                self.out.push('\n');
            }
        }
    }
}

/// Where the value being serialised goes.
#[derive(Clone, Copy)]
enum At {
    /// The whole document.
    Top,
    /// A map entry's value; the key's line is written up to and including the colon, and
    /// `indent` is the key's indentation.
    Value { indent: usize },
    /// A sequence item whose `- ` goes at `indent`.
    Item { indent: usize },
}

/// Serialises one value at `at`.
struct Ser<'a, 'c> {
    w: &'a mut Writer<'c>,
    at: At,
    /// Comments may apply at or below this value: its path is kept and looked up.
    look: bool,
}

impl<'a, 'c> Ser<'a, 'c> {
    /// A scalar as `serde_json`'s value serializer makes it (numbers and their errors too).
    fn value(self, v: std::result::Result<Value, serde_json::Error>) -> Result {
        let v = v.map_err(|_| Unsupported)?;
        self.w.scalar(self.at, self.look, |out, indent| {
            push_scalar(out, &v, indent)
        });
        Ok(())
    }

    fn str(self, s: &str) -> Result {
        self.w.scalar(self.at, self.look, |out, indent| {
            push_str_scalar(out, s, indent)
        });
        Ok(())
    }

    fn null(self) -> Result {
        self.w
            .scalar(self.at, self.look, |out, _| out.push_str("null"));
        Ok(())
    }

    fn open(self, map: bool) -> Compound<'a, 'c> {
        let child = match self.at {
            At::Top => 0,
            At::Value { indent } | At::Item { indent } => indent + 2,
        };
        let look_inside = self.look && self.w.comments_under();
        Compound {
            start: self.w.out.len(),
            keys_base: self.w.key_ranges.len(),
            entry_path: self.w.path.len(),
            w: self.w,
            at: self.at,
            look: self.look,
            look_inside,
            child,
            count: 0,
            map,
        }
    }
}

/// A map or sequence being written.
struct Compound<'a, 'c> {
    w: &'a mut Writer<'c>,
    at: At,
    /// The container's own path may have a trailing comment (written when it is empty).
    look: bool,
    /// Its entries may have comments: their paths are kept and looked up.
    look_inside: bool,
    /// Where the container's text starts in `out`.
    start: usize,
    /// The indentation of its entries.
    child: usize,
    /// Entries written so far.
    count: usize,
    map: bool,
    /// `key_ranges.len()` when the container opened: its own keys come after.
    keys_base: usize,
    /// `path.len()` before the current entry's segment.
    entry_path: usize,
}

impl Compound<'_, '_> {
    /// Before each entry: under a key, the first entry starts on the next line.
    fn entry(&mut self) {
        if self.count == 0 {
            if let At::Value { .. } = self.at {
                self.w.out.push('\n');
            }
        }
        self.count += 1;
    }

    /// Writes the comment above `key` and the key's line up to the colon.
    fn key(&mut self, key: &str) -> Result {
        let w = &mut *self.w;
        let hash = key.bytes().fold(0x811C_9DC5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        for &(h, a, b) in &w.key_ranges[self.keys_base..] {
            if h == hash && &w.keys[a..b] == key {
                return Err(Unsupported);
            }
        }
        let a = w.keys.len();
        w.keys.push_str(key);
        w.key_ranges.push((hash, a, w.keys.len()));
        self.entry();
        let w = &mut *self.w;
        if self.look_inside {
            self.entry_path = w.path.len();
            w.path.push('/');
            w.path.push_str(key);
            if let Some(c) = w.comments.get(w.path.as_str()) {
                for line in c.lines() {
                    push_comment(&mut w.out, self.child, line);
                }
            }
        }
        push_spaces(&mut w.out, self.child);
        push_quoted_if_needed(&mut w.out, key);
        w.out.push(':');
        Ok(())
    }

    fn map_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        let at = At::Value { indent: self.child };
        let look = self.look_inside;
        value.serialize(Ser {
            w: self.w,
            at,
            look,
        })?;
        self.w.path.truncate(self.entry_path);
        Ok(())
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        let index = self.count;
        self.entry();
        if self.look_inside {
            use std::fmt::Write as _;
            self.entry_path = self.w.path.len();
            let _ = write!(self.w.path, "/{index}");
        }
        let at = At::Item { indent: self.child };
        let look = self.look_inside;
        value.serialize(Ser {
            w: self.w,
            at,
            look,
        })?;
        self.w.path.truncate(self.entry_path);
        Ok(())
    }

    fn close(self) -> Result {
        let w = self.w;
        if let Some(&(_, a, _)) = w.key_ranges.get(self.keys_base) {
            w.keys.truncate(a);
            w.key_ranges.truncate(self.keys_base);
        }
        if self.count == 0 {
            let empty = if self.map { "{}" } else { "[]" };
            w.scalar(self.at, self.look, |out, _| out.push_str(empty));
        } else if let At::Item { indent } = self.at {
            // `emit` writes the item at `indent + 2` and replaces its first `indent + 2`
            // spaces by the item's indentation and `- `: the same two bytes, in place.
            let at = self.start + indent;
            debug_assert_eq!(&w.out[at..at + 2], "  ");
            w.out.replace_range(at..at + 2, "- ");
        }
        Ok(())
    }
}

/// Serializer methods that make a `serde_json::Value` scalar with `serde_json`'s own value
/// serializer and write it.
macro_rules! scalars {
    ($($method:ident: $t:ty),* $(,)?) => {$(
        fn $method(self, v: $t) -> Result {
            self.value(ser::Serializer::$method(serde_json::value::Serializer, v))
        }
    )*};
}

/// Serializer methods that are [`Unsupported`].
macro_rules! unsupported {
    ($($method:ident: $t:ty),* $(,)?) => {$(
        fn $method(self, _v: $t) -> Result {
            Err(Unsupported)
        }
    )*};
}

impl<'a, 'c> ser::Serializer for Ser<'a, 'c> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a, 'c>;
    type SerializeTuple = Compound<'a, 'c>;
    type SerializeTupleStruct = Compound<'a, 'c>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Compound<'a, 'c>;
    type SerializeStruct = Compound<'a, 'c>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    scalars! {
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_f32: f32,
        serialize_f64: f64,
    }
    unsupported! { serialize_bytes: &[u8] }

    fn serialize_char(self, v: char) -> Result {
        self.str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        self.str(v)
    }
    fn serialize_none(self) -> Result {
        self.null()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.null()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.null()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        // `{ variant: value }`
        let mut map = self.open(true);
        map.key(variant)?;
        map.map_value(value)?;
        map.close()
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Ok(self.open(false))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Ok(self.open(false))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Ok(self.open(false))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(Unsupported)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Ok(self.open(true))
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        // `serde_json`'s number and raw-value tokens (features `arbitrary_precision` and
        // `raw_value`, off here) are special to its value serializer: the long way.
        if name.starts_with("$serde_json::") {
            return Err(Unsupported);
        }
        Ok(self.open(true))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(Unsupported)
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        key.serialize(KeySer { map: self })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.map_value(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.key(key)?;
        self.map_value(value)
    }
    fn end(self) -> Result {
        self.close()
    }
}

/// A map key: strings (and what `serde_json` turns into the same string: a unit variant's
/// name, a newtype around a string) are written; anything else is [`Unsupported`].
struct KeySer<'m, 'a, 'c> {
    map: &'m mut Compound<'a, 'c>,
}

impl ser::Serializer for KeySer<'_, '_, '_> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Impossible<(), Unsupported>;
    type SerializeTuple = Impossible<(), Unsupported>;
    type SerializeTupleStruct = Impossible<(), Unsupported>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Impossible<(), Unsupported>;
    type SerializeStruct = Impossible<(), Unsupported>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    fn serialize_str(self, v: &str) -> Result {
        self.map.key(v)
    }
    fn serialize_char(self, v: char) -> Result {
        self.map.key(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.map.key(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result {
        v.serialize(self)
    }
    unsupported! {
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_bytes: &[u8],
        serialize_unit_struct: &'static str,
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(Unsupported)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(Unsupported)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(Unsupported)
    }
    fn serialize_none(self) -> Result {
        Err(Unsupported)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result {
        Err(Unsupported)
    }
    fn serialize_unit(self) -> Result {
        Err(Unsupported)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result {
        Err(Unsupported)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(Unsupported)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(Unsupported)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(Unsupported)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(Unsupported)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::{json, Value};

    use super::super::{emit, to_yaml, Comments};

    /// What `to_yaml` wrote before the fast path: the long way.
    fn long_way<T: Serialize + ?Sized>(value: &T, header: &str, comments: &Comments) -> String {
        emit(
            &serde_json::to_value(value).expect("serialises"),
            header,
            comments,
        )
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z_/][a-z0-9_./:@+=,-]{0,8}",
            "[a-zA-Z0-9 :#'\"\\\\/{}\\[\\]|>&*!%@`,.?-]{0,10}",
            "[a-z \t]{0,4}(\n[a-z \t]{0,4}){0,3}\n{0,2}",
            "[\u{0}-\u{7f}\u{85}\u{a0}\u{e9}\u{feff}\u{2028}\u{1f600}]{0,6}",
            prop::sample::select(vec![
                "yes", "No", "ON", "null", "~", "", "0755", "1e3", "x:", "http://x", "12:30"
            ])
            .prop_map(String::from),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            text().prop_map(Value::from),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((text(), inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    /// Every path `emit` looks up in `v`, with and without the trailing `#`.
    fn paths(v: &Value, path: &str, out: &mut Vec<String>) {
        out.push(path.to_string());
        out.push(format!("{path}#"));
        match v {
            Value::Object(m) => m
                .iter()
                .for_each(|(k, v)| paths(v, &format!("{path}/{k}"), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| paths(v, &format!("{path}/{i}"), out)),
            _ => {}
        }
    }

    /// A value, comments on some of its paths (and on a few paths it may not have), a header.
    fn case() -> impl Strategy<Value = (Value, Comments, String)> {
        (
            value(),
            prop::collection::vec((any::<prop::sample::Index>(), text()), 0..6),
            prop::collection::vec((text(), text()), 0..3),
            text(),
        )
            .prop_map(|(v, picks, noise, header)| {
                let mut all = Vec::new();
                paths(&v, "", &mut all);
                let mut comments: Comments = picks
                    .into_iter()
                    .map(|(i, c)| (i.get(&all).clone(), c))
                    .collect();
                comments.extend(noise.into_iter().map(|(p, c)| (format!("/{p}"), c)));
                (v, comments, header)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The fast path writes exactly what `emit` writes for `to_value`'s tree.
        #[test]
        fn streaming_equals_the_value_tree((v, comments, header) in case()) {
            let fast = super::to_yaml(&v, &header, &comments);
            prop_assert_eq!(fast, Some(long_way(&v, &header, &comments)));
        }
    }

    #[derive(Serialize)]
    struct Inner {
        a: u32,
        b: Vec<String>,
    }

    #[derive(Serialize)]
    #[allow(dead_code)] // variants are serialised, not read
    enum E {
        Unit,
        New(Inner),
        Tuple(u8, u8),
        Struct { x: u8 },
    }

    #[derive(Serialize)]
    struct Typed {
        name: String,
        none: Option<u8>,
        some: Option<char>,
        unit: (),
        tuple: (u8, &'static str),
        e: E,
        list: Vec<E>,
        float: f32,
        nan: f64,
        big: i128,
        empty: BTreeMap<String, u8>,
        #[serde(flatten)]
        extra: BTreeMap<String, Value>,
    }

    fn typed() -> Typed {
        Typed {
            name: "yes".into(),
            none: None,
            some: Some('é'),
            unit: (),
            tuple: (1, "two\nlines\n"),
            e: E::New(Inner { a: 1, b: vec![] }),
            list: vec![
                E::Unit,
                E::New(Inner {
                    a: 2,
                    b: vec!["x".into()],
                }),
            ],
            float: 0.1,
            nan: f64::NAN,
            big: -5,
            empty: BTreeMap::new(),
            extra: [("more".to_string(), json!({"k": [[], {}, [1, [2]]]}))].into(),
        }
    }

    #[test]
    fn typed_values_take_the_fast_path() {
        let mut c = Comments::new();
        c.insert("/e/New/a".into(), "above a\n\nafter a blank".into());
        c.insert("/empty#".into(), "trailing on {}".into());
        c.insert("/list/1/New/b/0#".into(), "trailing".into());
        c.insert("/more/k/2/1".into(), "inside a nested list".into());
        let t = typed();
        let fast = super::to_yaml(&t, "head\n\nline", &c);
        assert!(fast.is_some());
        assert_eq!(
            fast.as_deref(),
            Some(long_way(&t, "head\n\nline", &c).as_str())
        );
    }

    #[test]
    fn what_the_fast_path_leaves_comes_out_the_same() {
        let c = Comments::new();
        // A flattened key that clashes with a field: `serde_json` keeps the first position.
        let mut t = typed();
        t.extra.insert("name".into(), json!("replaced"));
        assert!(super::to_yaml(&t, "", &c).is_none());
        assert_eq!(
            to_yaml(&t, "", &c).expect("serialises"),
            long_way(&t, "", &c)
        );
        // Keys that are not strings, bytes, tuple and struct variants.
        let numbers: BTreeMap<u16, bool> = [(80, true), (443, false)].into();
        let bytes = serde_bytes_like(b"ab");
        for (fast, slow) in [
            (super::to_yaml(&numbers, "", &c), long_way(&numbers, "", &c)),
            (super::to_yaml(&bytes, "", &c), long_way(&bytes, "", &c)),
            (
                super::to_yaml(&E::Tuple(1, 2), "", &c),
                long_way(&E::Tuple(1, 2), "", &c),
            ),
            (
                super::to_yaml(&E::Struct { x: 1 }, "", &c),
                long_way(&E::Struct { x: 1 }, "", &c),
            ),
        ] {
            assert!(fast.is_none());
            assert!(!slow.is_empty());
        }
        assert_eq!(
            to_yaml(&numbers, "", &c).expect("serialises"),
            "\"80\": true\n\"443\": false\n"
        );
        // An error is the long way's error.
        let bad: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert_eq!(
            to_yaml(&bad, "", &c)
                .expect_err("not a string key")
                .to_string(),
            serde_json::to_value(&bad)
                .expect_err("not a string key")
                .to_string()
        );
    }

    /// A value that serialises as bytes.
    fn serde_bytes_like(b: &'static [u8]) -> impl Serialize {
        struct Bytes(&'static [u8]);
        impl Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
        Bytes(b)
    }
}
