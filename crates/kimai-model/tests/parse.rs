//! Parse errors: unknown keys, wrong types, empty files and random bytes, with paths and lines.

use kimai_model::{load, Format};

fn errors(bytes: &[u8], format: Format) -> Vec<String> {
    match load(bytes, format) {
        Ok(_) => panic!("expected an error"),
        Err(d) => d.iter().map(|d| d.to_string()).collect(),
    }
}

#[test]
fn unknown_key_names_its_path_and_line() {
    let e = errors(
        b"name: kimai\ningress:\n  host: k.example.com\n  hots: x\n",
        Format::Yaml,
    );
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("ingress.hots (line 4): unknown key `hots`"),
        "{}",
        e[0]
    );
    assert!(
        e[0].contains("hint: did you mean `host`? known keys here: `aliases`, `host`"),
        "{}",
        e[0]
    );
}

#[test]
fn unknown_top_level_key() {
    let e = errors(
        b"name: kimai\nreplicas: 3\ningress: { host: k.example.com }\n",
        Format::Yaml,
    );
    assert!(
        e[0].starts_with("replicas (line 2): unknown key `replicas`"),
        "{}",
        e[0]
    );
}

#[test]
fn wrong_type_names_the_field() {
    let e = errors(
        b"name: kimai\nscaling:\n  min_replicas: many\ningress: { host: k.example.com }\n",
        Format::Yaml,
    );
    assert!(
        e[0].starts_with(
            "scaling.min_replicas (line 3): expected a whole number (0 or more), found the text `many`"
        ),
        "{}",
        e[0]
    );
    let e = errors(
        br#"{"name": "kimai", "ingress": {"host": "k.example.com"}, "app": {"env": {"A": 1}}}"#,
        Format::Json,
    );
    assert!(
        e[0].starts_with("app.env.A (line 1): expected text, found the number `1`"),
        "{}",
        e[0]
    );
}

#[test]
fn secrets_must_be_references() {
    let e = errors(
        b"name: kimai\ningress: { host: k.example.com }\ndatabase:\n  password: hunter2\n",
        Format::Yaml,
    );
    assert!(
        e[0].starts_with(
            "database.password (line 4): secrets are references, write `{ secret: db-password }`"
        ),
        "{}",
        e[0]
    );
    assert!(!e.concat().contains("hunter2"), "{e:?}");
    let e = errors(
        b"name: kimai\ningress: { host: k.example.com }\ndatabase:\n  password: { value: hunter2 }\n",
        Format::Yaml,
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(
            "database.password (line 4): secrets are references, write `{ secret: db-password }`"
        ),
        "{}",
        e[0]
    );
    assert!(!e.concat().contains("hunter2"), "{e:?}");
}

#[test]
fn empty_and_garbage_inputs() {
    for input in [&b""[..], b"   \n", b"# only a comment\n"] {
        let e = errors(input, Format::Yaml);
        assert!(e[0].starts_with("spec: the spec is empty"), "{}", e[0]);
    }
    let e = errors(&[0xff, 0xfe, 0x00, 0x81], Format::Yaml);
    assert!(
        e[0].starts_with("spec: the spec is not UTF-8 text"),
        "{}",
        e[0]
    );
    let e = errors(b"- just\n- a list\n", Format::Yaml);
    assert!(
        e[0].starts_with("spec (line 1): expected a mapping with the keys"),
        "{}",
        e[0]
    );
    let e = errors(b"name: [unclosed\n", Format::Yaml);
    assert_eq!(e.len(), 1);
    let e = errors(b"{\"name\": ", Format::Json);
    assert_eq!(e.len(), 1);
}

#[test]
fn env_values_are_kept_byte_exact_by_the_loader() {
    let yaml = "name: kimai\ningress: { host: k.example.com }\napp:\n  env:\n    A: yes\n    B: \"0755\"\n    C: \"1e3\"\n    D: \"~\"\n    E: \"x\\ny\"\n";
    // YAML 1.1 look-alikes (`yes`) are text in YAML 1.2; quoted values are the text written.
    let m = load(yaml.as_bytes(), Format::Yaml).unwrap();
    let env = &m.spec().app.env;
    assert_eq!(env["A"].plain(), Some("yes"));
    assert_eq!(env["B"].plain(), Some("0755"));
    assert_eq!(env["C"].plain(), Some("1e3"));
    assert_eq!(env["D"].plain(), Some("~"));
    assert_eq!(env["E"].plain(), Some("x\ny"));
}

#[test]
fn unquoted_numbers_and_nulls_in_env_are_errors_with_a_quoting_hint() {
    // The schema says text, and `0755` read as a number would lose its zero: both refuse it.
    let e = errors(
        b"name: kimai\ningress: { host: k.example.com }\napp:\n  env:\n    B: 1.50\n    D: ~\n",
        Format::Yaml,
    );
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("app.env.B (line 5): expected text, found the number `1.5`"),
        "{}",
        e[0]
    );
    assert!(e[0].contains("quote it"), "{}", e[0]);
    assert!(
        e[1].starts_with("app.env.D (line 6): expected text, found nothing"),
        "{}",
        e[1]
    );
}
