//! The `generate` example's contract (contract.md §2): exit codes 0-4, `--check`, `--spec -`,
//! nothing written on error, byte-identical re-runs, stale files removed, operator files left
//! alone, and the installed `kimai-deploy` binary behaving exactly like the example.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn generate_bin() -> PathBuf {
    // target/<profile>/deps/cli-<hash> -> target/<profile>/examples/generate
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile dir");
    profile_dir
        .join("examples")
        .join(format!("generate{}", std::env::consts::EXE_SUFFIX))
}

fn run(args: &[&str]) -> Output {
    Command::new(generate_bin())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("generate runs")
}

/// `generate --out OUT [--spec SPEC] [--target TARGET]`.
fn generate(out: &Path, spec: Option<&Path>, target: Option<&str>) -> Output {
    let mut args = vec!["--out", out.to_str().expect("utf8")];
    if let Some(spec) = spec {
        args.extend(["--spec", spec.to_str().expect("utf8")]);
    }
    if let Some(target) = target {
        args.extend(["--target", target]);
    }
    run(&args)
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kimai-deploy-cli-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Every file under `dir` with its bytes and modification time.
fn tree(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("readable dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let meta = fs::metadata(&p).expect("meta");
                out.insert(
                    p.strip_prefix(dir).expect("under dir").to_path_buf(),
                    (fs::read(&p).expect("read"), meta.modified().expect("mtime")),
                );
            }
        }
    }
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn default_spec_renders_and_rerenders_byte_identically() {
    let out = tempdir("default");
    let o = generate(&out, None, None);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("compose: "), "{stdout}");
    assert!(out.join("compose/compose.yaml").exists());
    let first = tree(&out);
    let o = generate(&out, None, None);
    assert!(o.status.success());
    let second = tree(&out);
    assert_eq!(
        first, second,
        "a re-run changes no byte and touches no file"
    );
}

fn invalid_inputs() -> Vec<(&'static str, Vec<u8>, Vec<&'static str>)> {
    vec![
        ("unknown-key.yaml", b"name: kimai\ningress: { host: k.example.com }\nreplica: 2\n".to_vec(), vec!["replica (line 3): unknown key `replica`"]),
        ("wrong-type.yaml", b"name: kimai\ningress: { host: k.example.com }\nscaling: { min_replicas: two }\n".to_vec(), vec!["scaling.min_replicas"]),
        ("many.yaml", b"name: Kimai!\ndatabase: { mode: external }\nscaling: { min_replicas: 4, max_replicas: 2 }\ningress: { host: k.example.com, tls: { mode: acm } }\n".to_vec(),
            vec!["name (line 1): `Kimai!`", "database.host (line 2): missing", "scaling.min_replicas (line 3): `4` is above", "ingress.tls.certificate_arn (line 4): missing"]),
        ("empty.yaml", Vec::new(), vec!["the spec is empty"]),
        ("random.bin", (0..512u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect(), vec!["spec"]),
        ("garbage.json", b"{\"name\": [1, 2".to_vec(), vec!["spec"]),
    ]
}

#[test]
fn invalid_specs_exit_1_with_every_error_and_touch_nothing() {
    let out = tempdir("invalid");
    let o = generate(
        &out,
        Some(Path::new("examples/specs/single-host-tls.yaml")),
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    fs::write(out.join("compose/.env"), "APP_SECRET=\"mine\"\n").expect("write .env");
    let before = tree(&out);
    let specs = tempdir("invalid-specs");
    for (name, bytes, expect) in invalid_inputs() {
        let p = specs.join(name);
        fs::write(&p, &bytes).expect("write spec");
        let o = generate(&out, Some(&p), None);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{name}: {err}");
        for e in expect {
            assert!(err.contains(e), "{name}: expected `{e}` in:\n{err}");
        }
        assert_eq!(
            tree(&out),
            before,
            "{name}: the output directory is untouched"
        );
    }
}

#[test]
fn the_error_text_is_the_diagnostics_display() {
    let dir = tempdir("display");
    let spec = dir.join("bad.yaml");
    let text = "name: Kimai!\napp: { replicass: 2 }\ningress: { host: k.example.com }\n";
    fs::write(&spec, text).expect("write");
    let o = generate(&dir.join("out"), Some(&spec), None);
    assert_eq!(o.status.code(), Some(1));
    let d = kimai_deploy::load(text.as_bytes(), kimai_deploy::Format::Yaml).unwrap_err();
    assert_eq!(
        stderr(&o),
        format!(
            "error: {} is invalid; nothing was written.\n{d}",
            spec.display()
        )
    );
}

#[test]
fn explicit_target_that_cannot_render_is_an_error() {
    let out = tempdir("explicit");
    let o = generate(
        &out,
        Some(Path::new("examples/specs/minimal.yaml")),
        Some("ecs"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("targets.ecs"), "{}", stderr(&o));
    assert_eq!(
        fs::read_dir(&out).expect("dir").count(),
        0,
        "nothing written"
    );
    let o = generate(&out, Some(Path::new("examples/specs/minimal.yaml")), None);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("ecs: skipped (targets.ecs: missing"));
}

#[test]
fn bad_usage_exits_2() {
    for args in [&["--target", "nomad"][..], &["--frobnicate"], &["--spec"]] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn unreadable_spec_exits_2() {
    let o = run(&[
        "--spec",
        "/nonexistent/spec.yaml",
        "--out",
        "/nonexistent/out",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read spec"));
}

#[test]
fn stale_generated_files_go_operator_files_stay() {
    let out = tempdir("stale");
    let o = generate(
        &out,
        Some(Path::new("examples/specs/self-hosted-k8s.json")),
        Some("compose"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("compose/kimai/local.yaml").exists());
    fs::create_dir_all(out.join("compose/certs")).expect("certs dir");
    fs::write(out.join("compose/certs/privkey.pem"), "key").expect("key");
    fs::write(out.join("compose/.env"), "X=1\n").expect(".env");
    let o = generate(
        &out,
        Some(Path::new("examples/specs/minimal.yaml")),
        Some("compose"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !out.join("compose/kimai/local.yaml").exists(),
        "the stale generated file is removed"
    );
    assert_eq!(
        fs::read_to_string(out.join("compose/.env")).expect(".env"),
        "X=1\n"
    );
    assert!(out.join("compose/certs/privkey.pem").exists());
}

#[test]
fn multi_environment_file_renders_each_environment_in_its_folder() {
    let out = tempdir("multi");
    let o = generate(
        &out,
        Some(Path::new("examples/environments/kimai.yaml")),
        Some("compose"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for env in ["dev", "staging", "production"] {
        let compose = fs::read_to_string(out.join(env).join("compose/compose.yaml"))
            .expect("compose.yaml per environment");
        assert!(compose.contains(&format!("name: kimai-{env}")), "{env}");
    }
    let o = generate(
        &out,
        Some(Path::new("examples/environments/kimai.yaml")),
        Some("k8s"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for env in ["dev", "staging", "production"] {
        let k =
            fs::read_to_string(out.join(format!("kustomize/overlays/{env}/kustomization.yaml")))
                .expect("overlay");
        assert!(
            k.contains(&format!("namespace: kimai-{env}")) && k.contains("../../base"),
            "{k}"
        );
    }
    assert!(out.join("kustomize/base/kustomization.yaml").exists());
    let dev = fs::read_to_string(out.join("dev/compose/compose.yaml")).expect("dev");
    assert!(dev.contains("DEFAULT_URI: \"http://kimai.dev.example.com\""));
    assert!(!dev.contains("datadog"), "dev removes monitoring with null");
    let bad = tempdir("multi-bad").join("envs.yaml");
    fs::write(&bad, "base: { name: kimai, ingress: { host: k.example.com } }\nenvironments:\n  dev: { scaling: { min_replicas: 3, max_replicas: 1 } }\n  prod: { app: { cpu: x } }\n").expect("write");
    let before = tree(&out);
    let o = generate(&out, Some(&bad), None);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("environments.dev.scaling.min_replicas"),
        "{err}"
    );
    assert!(err.contains("environments.prod.app.cpu"), "{err}");
    assert_eq!(tree(&out), before);
}

#[test]
fn impossible_ecs_deployments_exit_1_with_paths_and_write_nothing() {
    let ecs = "aws: { region: eu-west-1, account_id: \"123456789012\" }\ntargets: { ecs: { cluster: c, subnets: [subnet-01234567], security_groups: [sg-01234567] } }\n";
    let cases = [
        // Not a Fargate size: invalid for every target.
        (format!("name: kimai\ningress: {{ host: k.example.com }}\n{}", ecs.replace("cluster: c,", "cluster: c, cpu: 256, memory: 4096,")), vec!["targets.ecs.cpu", "256"], None),
        // Missing settings: every one at once.
        ("name: kimai\ningress: { host: k.example.com }\ntargets: { ecs: { cluster: c } }\n".to_string(), vec!["aws", "targets.ecs.subnets", "targets.ecs.security_groups"], None),
        // A bundled database on ECS: an error when ECS is asked for.
        (format!("name: kimai\ningress: {{ host: k.example.com }}\nstorage: {{ class: efs, efs: {{ file_system_id: fs-01234567 }} }}\n{ecs}"), vec!["database.mode", "use `database.mode: external`"], Some("ecs")),
    ];
    let dir = tempdir("ecs-invalid");
    for (i, (spec, expect, target)) in cases.iter().enumerate() {
        let path = dir.join(format!("spec-{i}.yaml"));
        fs::write(&path, spec).expect("write");
        let out = dir.join(format!("out-{i}"));
        let o = generate(&out, Some(&path), *target);
        assert_eq!(o.status.code(), Some(1), "case {i}: {}", stderr(&o));
        for e in expect {
            assert!(stderr(&o).contains(e), "case {i}: `{e}` in {}", stderr(&o));
        }
        assert!(!out.exists(), "case {i}: nothing written");
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn run_with_stdin(bin: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("output")
}

const ECS_SPEC: &str = "examples/specs/production.yaml";

#[test]
fn check_lists_added_changed_removed_and_writes_nothing() {
    let out = tempdir("check");
    // Nothing there yet: every file would be added, exit 4, nothing written.
    let o = run(&[
        "--out",
        out.to_str().expect("utf8"),
        "--spec",
        ECS_SPEC,
        "--check",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!(
            "would add: {}",
            out.join("ecs/task-definition.json").display()
        )),
        "{}",
        stdout(&o)
    );
    assert!(
        fs::read_dir(&out).expect("dir").next().is_none(),
        "--check wrote nothing"
    );
    // Written: up to date, exit 0.
    assert!(generate(&out, Some(Path::new(ECS_SPEC)), None)
        .status
        .success());
    let o = run(&[
        "--out",
        out.to_str().expect("utf8"),
        "--spec",
        ECS_SPEC,
        "--check",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("is up to date"), "{}", stdout(&o));
    // One file edited, one generated file deleted, ECS dropped from the spec: changed, added, removed.
    let before = tree(&out);
    // The same deployment without ECS: its earlier files would be removed.
    let o = run(&[
        "--out",
        out.to_str().expect("utf8"),
        "--spec",
        "examples/specs/minimal.yaml",
        "--check",
    ]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        stdout(&o).contains(&format!(
            "would remove: {}",
            out.join("ecs/task-definition.json").display()
        )),
        "{}",
        stdout(&o)
    );
    fs::write(out.join("compose/compose.yaml"), "edited\n").expect("edit");
    fs::remove_file(out.join("compose/.env.example")).expect("delete");
    let before_edit = tree(&out);
    let o = run(&[
        "--out",
        out.to_str().expect("utf8"),
        "--spec",
        ECS_SPEC,
        "--check",
    ]);
    assert_eq!(o.status.code(), Some(4));
    let listing = stdout(&o);
    assert!(
        listing.contains(&format!(
            "would change: {}",
            out.join("compose/compose.yaml").display()
        )),
        "{listing}"
    );
    assert!(
        listing.contains(&format!(
            "would add: {}",
            out.join("compose/.env.example").display()
        )),
        "{listing}"
    );
    assert!(
        listing.contains("1 to add, 1 to change, 0 to remove"),
        "{listing}"
    );
    assert_eq!(tree(&out), before_edit, "--check writes nothing");
    assert_ne!(before, before_edit);
}

#[test]
fn spec_from_standard_input() {
    let out = tempdir("stdin");
    let spec = fs::read(ECS_SPEC).expect("spec");
    let o = run_with_stdin(
        &generate_bin(),
        &["--spec", "-", "--out", out.to_str().expect("utf8")],
        &spec,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("ecs/task-definition.json").is_file());
    // A YAML flow mapping is not JSON, and is read as YAML.
    let flow = b"{ name: kimai, ingress: { host: kimai.example.com } }\n";
    let o = run_with_stdin(
        &generate_bin(),
        &[
            "--spec",
            "-",
            "--out",
            out.to_str().expect("utf8"),
            "--check",
        ],
        flow,
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let o = run_with_stdin(
        &generate_bin(),
        &["--spec", "-", "--out", out.to_str().expect("utf8")],
        b"name: [\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the spec on standard input is invalid"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unwritable_output_exits_3_and_leaves_the_previous_output_as_it_was() {
    let out = tempdir("unwritable");
    assert!(generate(
        &out,
        Some(Path::new("examples/specs/single-host-tls.yaml")),
        Some("compose")
    )
    .status
    .success());
    // An operator's file where the Kubernetes folder must go: k8s cannot be written.
    fs::write(out.join("k8s"), "not a folder\n").expect("blocker");
    let before = tree(&out);
    let o = generate(&out, Some(Path::new(ECS_SPEC)), None);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("previous contents were left as they were"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        tree(&out),
        before,
        "nothing changed, no temporary file left"
    );
    // Under a regular file, --out cannot even be created.
    let o = generate(&out.join("k8s/deeper"), None, Some("compose"));
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn a_skipped_target_and_a_removed_environment_leave_nothing_behind() {
    let out = tempdir("stale-targets");
    assert!(generate(&out, Some(Path::new(ECS_SPEC)), None)
        .status
        .success());
    assert!(out.join("ecs/task-definition.json").is_file());
    fs::write(out.join("compose/.env"), "APP_SECRET=\"mine\"\n").expect(".env");
    // The same deployment without ECS: ecs/ goes entirely, the operator's .env stays.
    let o = generate(&out, Some(Path::new("examples/specs/minimal.yaml")), None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("ecs: skipped"), "{}", stdout(&o));
    assert!(
        !out.join("ecs").exists(),
        "the skipped target's folder is gone"
    );
    assert_eq!(
        fs::read_to_string(out.join("compose/.env")).expect(".env"),
        "APP_SECRET=\"mine\"\n"
    );

    // An environment removed from the file: OUT/<env>/ goes.
    let multi = tempdir("stale-envs");
    let envs = fs::read_to_string("examples/environments/kimai.yaml").expect("envs");
    let spec = multi.join("envs.yaml");
    fs::write(&spec, &envs).expect("write");
    let o = generate(&out, Some(&spec), Some("compose"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("staging/compose/compose.yaml").is_file());
    let start = envs.find("\n  staging:").expect("a staging environment") + 1;
    let len = envs[start..]
        .split_inclusive('\n')
        .enumerate()
        .take_while(|(i, l)| *i == 0 || l.starts_with("    ") || l.trim().is_empty())
        .map(|(_, l)| l.len())
        .sum::<usize>();
    // The delivery order names every environment: staging leaves it too.
    let without = format!("{}{}", &envs[..start], &envs[start + len..]).replace(
        "order: [dev, staging, production]",
        "order: [dev, production]",
    );
    fs::write(&spec, &without).expect("write");
    let o = generate(&out, Some(&spec), Some("compose"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !out.join("staging").exists(),
        "the removed environment's folder is gone:\n{without}"
    );
    assert!(out.join("production/compose/compose.yaml").is_file());
}

#[test]
fn skip_lines_name_every_reason_and_a_present_section_is_an_error() {
    let dir = tempdir("skip");
    // Several replicas on local storage: Kubernetes and ECS cannot apply; ECS has no section.
    let spec = dir.join("spec.yaml");
    fs::write(
        &spec,
        "name: kimai\ningress: { host: k.example.com }\napp: { replicas: 2 }\n",
    )
    .expect("write");
    let o = generate(&dir.join("out"), Some(&spec), None);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let ecs = text
        .lines()
        .find(|l| l.starts_with("ecs: skipped"))
        .expect("ecs skipped");
    assert!(
        ecs.contains("storage.class") && ecs.contains("targets.ecs"),
        "every reason: {ecs}"
    );
    // The same with a `targets.kubernetes` section: Kubernetes is wanted, so it is an error.
    fs::write(&spec, "name: kimai\ningress: { host: k.example.com }\napp: { replicas: 2 }\ntargets: { kubernetes: { namespace: kimai } }\n").expect("write");
    let o = generate(&dir.join("out2"), Some(&spec), None);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("storage.class"), "{}", stderr(&o));
    assert!(!dir.join("out2").exists());
}

#[test]
fn help_shows_examples_and_the_installed_binary_is_the_same_command() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    assert!(
        help.contains("Examples:") && help.contains("--spec -") && help.contains("--check"),
        "{help}"
    );
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_kimai-deploy"));
    let installed = Command::new(&bin)
        .arg("--help")
        .output()
        .expect("kimai-deploy runs");
    assert_eq!(stdout(&installed), help.replace("generate", "kimai-deploy"));
    // Same spec, same files, same summary.
    let (a, b) = (tempdir("same-a"), tempdir("same-b"));
    let oa = generate(&a, Some(Path::new(ECS_SPEC)), None);
    let ob = Command::new(&bin)
        .args(["--out", b.to_str().expect("utf8"), "--spec", ECS_SPEC])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert_eq!(oa.status.code(), ob.status.code());
    let strip =
        |t: &BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)>| -> BTreeMap<PathBuf, Vec<u8>> {
            t.iter().map(|(p, (b, _))| (p.clone(), b.clone())).collect()
        };
    assert_eq!(strip(&tree(&a)), strip(&tree(&b)));
    assert_eq!(stdout(&oa).replace("same-a", "same-b"), stdout(&ob));
}

#[test]
fn earlier_per_target_lists_are_honoured_and_no_listed_path_leaves_out() {
    let root = tempdir("legacy");
    let out = root.join("out");
    fs::create_dir_all(out.join("compose")).expect("dir");
    // What an earlier version generated and listed per target, plus hostile lines.
    fs::write(out.join("compose/old-proxy.conf"), "old\n").expect("old");
    fs::write(root.join("outside.txt"), "keep\n").expect("outside");
    fs::write(
        out.join("compose/.kimai-deploy-files"),
        "old-proxy.conf\n../../outside.txt\n/etc/passwd\n",
    )
    .expect("legacy list");
    let o = generate(
        &out,
        Some(Path::new("examples/specs/minimal.yaml")),
        Some("compose"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !out.join("compose/old-proxy.conf").exists(),
        "listed by the earlier version: removed"
    );
    assert!(
        !out.join("compose/.kimai-deploy-files").exists(),
        "the per-target list is replaced"
    );
    assert_eq!(
        fs::read_to_string(root.join("outside.txt")).expect("kept"),
        "keep\n"
    );
    let listing = fs::read_to_string(out.join(".kimai-deploy-files")).expect("one list");
    assert!(
        listing.lines().all(|l| l.starts_with("compose/")),
        "{listing}"
    );
    // A hostile line in the current list is ignored too.
    fs::write(
        out.join(".kimai-deploy-files"),
        format!("{listing}../outside.txt\n"),
    )
    .expect("list");
    let o = generate(
        &out,
        Some(Path::new("examples/specs/minimal.yaml")),
        Some("compose"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.join("outside.txt").exists());
}
