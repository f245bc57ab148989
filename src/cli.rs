//! The command of contract §2: `kimai-deploy` (installed with `cargo install --path .`) and
//! `cargo run --example generate` are both [`main`].
//!
//! Everything is loaded, validated and rendered in memory first. Then either `--check`
//! compares the result with `--out` and lists every file that would be added, changed or
//! removed, or the files are written: every new or changed file first to a temporary file
//! beside it (so a failure leaves `--out` as it was), then renamed into place; files an earlier
//! run generated and this one does not are removed, with the folders they leave empty. What was
//! generated is listed in `OUT/.kimai-deploy-files`; nothing else (`.env`, `certs/`,
//! `secrets/`, the operator's own files) is ever touched.
//!
//! Exit codes: 0 success, 1 invalid spec (nothing written), 2 bad usage (including a `--spec`
//! that cannot be read), 3 the output could not be written (`--out` left as it was), 4 `--check`
//! found differences.
//!
//! This module is the only place of the crate that touches files, standard streams or the
//! process environment.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use crate::delivery::{render_delivery, DeliveryTarget};
use crate::{render_all, Diagnostics, Error, Format, Rendered, Selection, Target, Validated};

/// Where the files of the previous run are listed, relative to `--out`.
pub const MANIFEST: &str = ".kimai-deploy-files";

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the spec is invalid, or a target asked for cannot render it.
pub const EXIT_INVALID: u8 = 1;
/// Exit code: bad usage, including a `--spec` that cannot be read.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the output could not be written.
pub const EXIT_WRITE: u8 = 3;
/// Exit code: `--check` found differences.
pub const EXIT_DIFFERS: u8 = 4;

const EXAMPLES: &str = "\
Examples:
  kimai-deploy                                   render the embedded production spec into out/
  kimai-deploy --spec kimai.yaml --out deploy    render every target the spec supports
  kimai-deploy --spec kimai.yaml --target k8s    render Kubernetes only (an error if it cannot)
  cat kimai.yaml | kimai-deploy --spec -         read the spec from standard input
  kimai-deploy --spec kimai.yaml --check         list what would change; exit 4 if anything would

Exit codes: 0 success, 1 invalid spec (nothing written), 2 bad usage or unreadable --spec,
3 output not writable (--out left as it was), 4 --check found differences.";

#[derive(Parser, Debug)]
#[command(
    name = "kimai-deploy",
    version,
    about = "Render Kimai deployment artifacts (Docker Compose, Kubernetes, AWS ECS, Ansible) from one spec",
    after_help = EXAMPLES
)]
struct Args {
    /// Spec file (YAML or JSON; a multi-environment file too), `-` for standard input; the
    /// embedded production spec when absent.
    #[arg(long, value_name = "FILE|-")]
    spec: Option<String>,
    /// Output directory.
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    /// Target to render; `all` renders every target the spec supports.
    #[arg(long, value_enum, default_value_t = TargetArg::All)]
    target: TargetArg,
    /// Render in memory, compare with --out and list every file that would be added, changed
    /// or removed; write nothing. Exit 4 when anything differs.
    #[arg(long)]
    check: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum TargetArg {
    All,
    Compose,
    K8s,
    Ecs,
    Ansible,
    Terraform,
    Ci,
    Gitops,
}

/// Runs the command with the process's arguments and streams.
pub fn main() -> ExitCode {
    let stdin = std::io::stdin();
    let code = run(
        std::env::args_os(),
        &mut stdin.lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}

/// Runs the command: `args` as on the command line (program name first). Returns the exit code.
pub fn run<I, T>(args: I, stdin: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            use clap::error::ErrorKind;
            let text = e.render().to_string();
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = write!(out, "{text}");
                    EXIT_OK
                }
                _ => {
                    let _ = write!(err, "{text}");
                    EXIT_USAGE
                }
            };
        }
    };
    // 1. The spec.
    let (bytes, label, format) = match args.spec.as_deref() {
        None => (
            crate::DEFAULT_SPEC.as_bytes().to_vec(),
            "the embedded production spec".to_string(),
            Format::Yaml,
        ),
        Some("-") => {
            let mut b = Vec::new();
            if let Err(e) = stdin.read_to_end(&mut b) {
                let _ = writeln!(err, "error: cannot read the spec from standard input: {e}");
                return EXIT_USAGE;
            }
            // JSON when it is JSON; anything else (a YAML flow mapping too) is read as YAML.
            let json = b
                .iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|c| *c == b'{')
                && serde_json::from_slice::<serde_json::Value>(&b).is_ok();
            let format = if json { Format::Json } else { Format::Yaml };
            (b, "the spec on standard input".to_string(), format)
        }
        Some(p) => match fs::read(p) {
            Ok(b) => (b, p.to_string(), Format::from_file_name(p)),
            Err(e) => {
                let _ = writeln!(err, "error: cannot read spec {p}: {e}");
                return EXIT_USAGE;
            }
        },
    };
    let multi = crate::model::is_multi_environment(&bytes, format);
    let models = match crate::model::load_all(&bytes, format) {
        Ok(m) => m,
        Err(d) => {
            let _ = write!(err, "error: {label} is invalid; nothing was written.\n{d}");
            return EXIT_INVALID;
        }
    };
    let selection = match args.target {
        TargetArg::All => Selection::All,
        TargetArg::Compose => Selection::Only(vec![Target::Compose]),
        TargetArg::K8s => Selection::Only(vec![Target::Kubernetes]),
        TargetArg::Ecs => Selection::Only(vec![Target::Ecs]),
        TargetArg::Ansible => Selection::Only(vec![Target::Ansible]),
        TargetArg::Terraform => Selection::Only(vec![Target::Terraform]),
        TargetArg::Ci | TargetArg::Gitops => Selection::Only(Vec::new()),
    };
    // Delivery spans every environment: OUT/ci and OUT/gitops (src/delivery.rs).
    let (delivery, explicit) = match args.target {
        TargetArg::All => (DeliveryTarget::ALL.to_vec(), false),
        TargetArg::Ci => (vec![DeliveryTarget::Ci], true),
        TargetArg::Gitops => (vec![DeliveryTarget::Gitops], true),
        _ => (Vec::new(), false),
    };
    // 2. Render every environment in memory.
    let plan = match render_plan(&models, multi, selection.clone(), &delivery, explicit) {
        Ok(p) => p,
        Err(text) => {
            let _ = write!(
                err,
                "error: {label} cannot be rendered; nothing was written.\n{text}"
            );
            return EXIT_INVALID;
        }
    };
    // 3. Compare with what --out holds. With `--target X`, only X's earlier files may go.
    let previous = previous_files(&args.out);
    let in_scope = |p: &str| match &selection {
        Selection::All => true,
        Selection::Only(ts) => {
            let mut parts = p.split('/');
            let first = parts.next().unwrap_or_default();
            let second = parts.next().unwrap_or_default();
            let k8s = ts.contains(&Target::Kubernetes);
            (first == "kustomize" && k8s)
                || delivery.iter().any(|d| first == d.as_str())
                || ts
                    .iter()
                    .any(|t| first == t.as_str() || second == t.as_str())
        }
    };
    let kept: BTreeSet<String> = previous.iter().filter(|p| !in_scope(p)).cloned().collect();
    let previous: BTreeSet<String> = previous.into_iter().filter(|p| in_scope(p)).collect();
    let diff = diff(&args.out, &plan.files, &previous);
    if args.check {
        for (what, paths) in [
            ("add", &diff.added),
            ("change", &diff.changed),
            ("remove", &diff.removed),
        ] {
            for p in paths {
                let _ = writeln!(out, "would {what}: {}", args.out.join(p).display());
            }
        }
        return if diff.is_empty() {
            let _ = writeln!(
                out,
                "{} is up to date ({} files)",
                args.out.display(),
                plan.files.len()
            );
            EXIT_OK
        } else {
            let _ = writeln!(
                out,
                "{} differs: {} to add, {} to change, {} to remove",
                args.out.display(),
                diff.added.len(),
                diff.changed.len(),
                diff.removed.len()
            );
            EXIT_DIFFERS
        };
    }
    // 4. Write.
    let removed = match write_all(&args.out, &plan.files, &diff, &kept) {
        Ok(not_removed) => {
            for line in &not_removed {
                let _ = writeln!(err, "warning: cannot remove a stale file, {line}");
            }
            diff.removed.len() - not_removed.len()
        }
        Err(e) => {
            let _ = writeln!(
                err,
                "error: cannot write {}: {e}; its previous contents were left as they were",
                args.out.display()
            );
            return EXIT_WRITE;
        }
    };
    for line in &plan.summary {
        let line = match line {
            Line::Folder { label, dir, files } => {
                let changed = diff
                    .added
                    .iter()
                    .chain(&diff.changed)
                    .filter(|p| p.starts_with(&format!("{dir}/")))
                    .count();
                format!(
                    "{label}: {files} files in {} ({changed} changed)",
                    args.out.join(dir).display()
                )
            }
            Line::Text(t) => t.clone(),
        };
        let _ = writeln!(out, "{line}");
    }
    if removed > 0 {
        let _ = writeln!(
            out,
            "removed {removed} file{} an earlier run generated",
            if removed == 1 { "" } else { "s" }
        );
    }
    EXIT_OK
}

/// Every file to write (path relative to `--out`) and the summary lines.
struct Plan {
    files: BTreeMap<String, (String, bool)>,
    summary: Vec<Line>,
}

/// One summary line: a folder written (its changed count is known only after comparing), or
/// text (a skip, a notice).
enum Line {
    Folder {
        label: String,
        dir: String,
        files: usize,
    },
    Text(String),
}

fn render_plan(
    models: &[Validated],
    multi: bool,
    selection: Selection,
    delivery: &[DeliveryTarget],
    explicit: bool,
) -> Result<Plan, String> {
    let mut files = BTreeMap::new();
    let mut summary = Vec::new();
    let mut notices = Vec::new();
    let mut k8s: Vec<(String, Rendered)> = Vec::new();
    let mut errors = String::new();
    for model in models {
        let env = model.environment().to_string();
        let (base, prefix) = if multi {
            (format!("{env}/"), format!("environments.{env}."))
        } else {
            (String::new(), String::new())
        };
        let outcome = match render_all(model, selection.clone()) {
            Ok(o) => o,
            Err(Error::Invalid {
                target,
                diagnostics,
            }) => {
                let d = prefixed(diagnostics, &prefix);
                errors.push_str(&format!("{}: {d}", target.as_str()));
                continue;
            }
            Err(e) => {
                errors.push_str(&format!(
                    "{}{e}\n",
                    if multi {
                        format!("{env}: ")
                    } else {
                        String::new()
                    }
                ));
                continue;
            }
        };
        for (target, rendered) in &outcome.rendered {
            let dir = format!("{base}{}", target.as_str());
            for f in &rendered.files {
                files.insert(format!("{dir}/{}", f.path), (f.contents.clone(), f.private));
            }
            summary.push(Line::Folder {
                label: target.as_str().to_string(),
                dir: dir.clone(),
                files: rendered.files.len(),
            });
            for n in &rendered.notices {
                notices.push(if multi {
                    format!("notice: {env}: {n}")
                } else {
                    format!("notice: {n}")
                });
            }
            if *target == Target::Kubernetes {
                k8s.push((env.clone(), rendered.clone()));
            }
        }
        for (target, reason) in &outcome.skipped {
            summary.push(Line::Text(if multi {
                format!("{}: skipped in {env} ({reason})", target.as_str())
            } else {
                format!("{}: skipped ({reason})", target.as_str())
            }));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Pipelines and GitOps objects: one set for every environment, at the top of OUT.
    let delivered =
        render_delivery(models, multi, delivery, explicit).map_err(|e| format!("{e}\n"))?;
    for (target, rendered) in &delivered.rendered {
        let dir = target.as_str().to_string();
        for f in &rendered.files {
            files.insert(format!("{dir}/{}", f.path), (f.contents.clone(), f.private));
        }
        summary.push(Line::Folder {
            label: dir.clone(),
            dir,
            files: rendered.files.len(),
        });
    }
    for (target, reason) in &delivered.skipped {
        summary.push(Line::Text(format!(
            "{}: skipped ({reason})",
            target.as_str()
        )));
    }
    // Several environments on Kubernetes: also one kustomize base with an overlay each.
    if multi && k8s.len() > 1 {
        let refs: Vec<(String, &Rendered)> = k8s.iter().map(|(e, r)| (e.clone(), r)).collect();
        let overlay = crate::overlays::kustomize_overlays(&refs)
            .map_err(|e| format!("kustomize overlays: {e}\n"))?;
        for f in &overlay {
            files.insert(
                format!("kustomize/{}", f.path),
                (f.contents.clone(), f.private),
            );
        }
        summary.push(Line::Folder {
            label: format!("kustomize (base + {} overlays)", k8s.len()),
            dir: "kustomize".into(),
            files: overlay.len(),
        });
    }
    summary.extend(notices.into_iter().map(Line::Text));
    Ok(Plan { files, summary })
}

/// Diagnostics with every path under `prefix` (`environments.production.`).
fn prefixed(d: Diagnostics, prefix: &str) -> Diagnostics {
    if prefix.is_empty() {
        return d;
    }
    let mut out = Diagnostics::default();
    for mut diag in d.0 {
        diag.path = if diag.path.is_empty() {
            prefix.trim_end_matches('.').to_string()
        } else {
            format!("{prefix}{}", diag.path)
        };
        out.push(diag);
    }
    out
}

/// The files earlier runs generated, relative to `out`: the manifest, plus the per-target
/// manifests of earlier versions.
fn previous_files(out: &Path) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let mut read = |manifest: PathBuf, prefix: &str| {
        if let Ok(text) = fs::read_to_string(&manifest) {
            for line in text.lines().filter(|l| safe_relative(l)) {
                set.insert(format!("{prefix}{line}"));
            }
        }
    };
    read(out.join(MANIFEST), "");
    for dir in legacy_manifest_dirs(out) {
        read(out.join(&dir).join(MANIFEST), &format!("{dir}/"));
    }
    set
}

/// Folders that may hold a per-target manifest of an earlier version (`compose`, `dev/k8s`).
fn legacy_manifest_dirs(out: &Path) -> Vec<String> {
    let mut dirs = Vec::new();
    let Ok(entries) = fs::read_dir(out) else {
        return dirs;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !e.path().is_dir() {
            continue;
        }
        if e.path().join(MANIFEST).is_file() {
            dirs.push(name.clone());
        }
        if let Ok(inner) = fs::read_dir(e.path()) {
            for i in inner.flatten() {
                if i.path().join(MANIFEST).is_file() {
                    dirs.push(format!("{name}/{}", i.file_name().to_string_lossy()));
                }
            }
        }
    }
    dirs.sort();
    dirs
}

/// A manifest line that stays inside `--out`.
fn safe_relative(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains('\\')
        && p.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
}

#[derive(Debug, Default)]
struct Diff {
    added: Vec<String>,
    changed: Vec<String>,
    removed: Vec<String>,
}

impl Diff {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

fn diff(out: &Path, files: &BTreeMap<String, (String, bool)>, previous: &BTreeSet<String>) -> Diff {
    let mut d = Diff::default();
    for (path, (contents, _)) in files {
        match fs::read(out.join(path)) {
            Ok(old) if old == contents.as_bytes() => {}
            Ok(_) => d.changed.push(path.clone()),
            Err(_) => d.added.push(path.clone()),
        }
    }
    for p in previous {
        if !files.contains_key(p) && out.join(p).is_file() {
            d.removed.push(p.clone());
        }
    }
    d
}

/// Writes the changes. Every new or changed file goes to a temporary file first; if any of
/// those fails, the temporary files and the folders created for them are removed and `out`
/// is as it was.
fn write_all(
    out: &Path,
    files: &BTreeMap<String, (String, bool)>,
    diff: &Diff,
    kept: &BTreeSet<String>,
) -> std::io::Result<Vec<String>> {
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let staged = (|| -> std::io::Result<()> {
        create_dirs(out, &mut created_dirs)?;
        for p in diff.added.iter().chain(&diff.changed) {
            let (contents, private) = &files[p];
            let path = out.join(p);
            if let Some(parent) = path.parent() {
                create_dirs(parent, &mut created_dirs)?;
            }
            let tmp = temp_path(&path);
            write_file(&tmp, contents.as_bytes(), *private)?;
            temps.push((tmp, path));
        }
        Ok(())
    })();
    if let Err(e) = staged {
        for (tmp, _) in &temps {
            let _ = fs::remove_file(tmp);
        }
        for dir in created_dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
        return Err(e);
    }
    for (tmp, path) in &temps {
        fs::rename(tmp, path)?;
    }
    let mut not_removed = Vec::new();
    for p in &diff.removed {
        let path = out.join(p);
        if let Err(e) = fs::remove_file(&path) {
            not_removed.push(format!("{}: {e}", path.display()));
            continue;
        }
        // Remove the folders the file leaves empty, up to `out`.
        let mut dir = path.parent();
        while let Some(d) = dir {
            if d == out || fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    // Earlier files of targets this run did not render stay listed (`--target X`).
    let listed: BTreeSet<&String> = files
        .keys()
        .chain(kept.iter().filter(|p| out.join(p).is_file()))
        .chain(diff.removed.iter().filter(|p| out.join(p).is_file()))
        .collect();
    let listing: String = listed.iter().map(|p| format!("{p}\n")).collect();
    let manifest = out.join(MANIFEST);
    if fs::read_to_string(&manifest).ok().as_deref() != Some(listing.as_str()) {
        let tmp = temp_path(&manifest);
        write_file(&tmp, listing.as_bytes(), false)?;
        fs::rename(&tmp, &manifest)?;
    }
    for dir in legacy_manifest_dirs(out) {
        let _ = fs::remove_file(out.join(dir).join(MANIFEST));
    }
    Ok(not_removed)
}

/// `create_dir_all` that records each folder it creates.
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, created)?;
    }
    fs::create_dir(dir)?;
    created.push(dir.to_path_buf());
    Ok(())
}

fn temp_path(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".kimai-deploy-tmp");
    PathBuf::from(tmp)
}

fn write_file(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
