//! Reading the compose project passed in: which files the host needs, and which service mounts each.
//!
//! compose-render's output is the one source of truth. This module does not know compose-render's
//! constants; it reads compose.yaml's bind mounts (`source: ./nginx/kimai.conf` under a service)
//! to learn which generated files the host needs and which service must restart when one changes.
//! Files compose.yaml does not mount (README, `.env.example`) stay on the controller.

use std::collections::{BTreeMap, BTreeSet};

use kimai_model::{OutputFile, SecretBinding};

use crate::Error;

/// The compose file's name in the project, as compose-render writes it.
pub const COMPOSE_FILE: &str = "compose.yaml";

/// Where a file of the compose project is kept under `files/` (the copy task's `src`): its
/// path under `compose/`, with `.verbatim` appended to YAML files. ansible-lint lints every
/// `*.yaml` it finds as Ansible YAML (its own line length, 160) wherever it is started from,
/// and no configuration file reaches it from every folder; compose-render's YAML is not
/// Ansible content, and the suffix keeps it out of ansible-lint's way. The host gets the
/// original name.
pub fn stored_path(rel: &str) -> String {
    if rel.ends_with(".yaml") || rel.ends_with(".yml") {
        format!("compose/{rel}.verbatim")
    } else {
        format!("compose/{rel}")
    }
}

/// What the playbook needs to know about the compose project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project<'a> {
    /// compose.yaml, copied verbatim.
    pub compose: &'a OutputFile,
    /// Generated files compose.yaml bind-mounts, with the services mounting them.
    pub mounted: Vec<(&'a OutputFile, BTreeSet<String>)>,
    /// Mounted directories the project does not generate (operator-supplied, like `certs`),
    /// with the services mounting them.
    pub operator_dirs: BTreeMap<String, BTreeSet<String>>,
    /// Every service name, in file order.
    pub services: Vec<String>,
    /// Service image by service name.
    pub images: BTreeMap<String, String>,
    /// The `.env` variables, sorted by name.
    pub bindings: Vec<&'a SecretBinding>,
}

impl Project<'_> {
    /// Directories under the deploy dir the files and operator mounts need, sorted.
    pub fn directories(&self) -> Vec<String> {
        let mut dirs = BTreeSet::new();
        for (f, _) in &self.mounted {
            let mut p = f.path.as_str();
            while let Some((parent, _)) = p.rsplit_once('/') {
                dirs.insert(parent.to_string());
                p = parent;
            }
        }
        dirs.extend(self.operator_dirs.keys().cloned());
        dirs.into_iter().collect()
    }

    /// The service running `image`, if any.
    pub fn service_with_image(&self, image: &str) -> Option<&str> {
        self.images
            .iter()
            .find(|(_, i)| i.as_str() == image)
            .map(|(s, _)| s.as_str())
    }
}

/// Reads the project; fails when compose.yaml is missing or a path or variable is unsafe.
pub fn read<'a>(
    files: &'a [OutputFile],
    bindings: &'a [SecretBinding],
) -> Result<Project<'a>, Error> {
    let compose = files
        .iter()
        .find(|f| f.path == COMPOSE_FILE)
        .ok_or_else(|| Error::Project(format!("the compose project has no `{COMPOSE_FILE}`")))?;
    let scan = scan(&compose.contents);
    let mut mounted = Vec::new();
    let mut operator_dirs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (source, services) in &scan.mounts {
        if !safe_relative_path(source) {
            return Err(Error::Project(format!(
                "compose.yaml mounts `./{source}`, which is not a plain relative path"
            )));
        }
        let prefix = format!("{source}/");
        let inside: Vec<&OutputFile> = files
            .iter()
            .filter(|f| f.path == *source || f.path.starts_with(&prefix))
            .collect();
        if inside.is_empty() {
            operator_dirs
                .entry(source.clone())
                .or_default()
                .extend(services.iter().cloned());
        }
        for f in inside {
            if !safe_relative_path(&f.path) {
                return Err(Error::Project(format!(
                    "`{}` is not a plain relative path",
                    f.path
                )));
            }
            match mounted
                .iter_mut()
                .find(|(m, _): &&mut (&OutputFile, BTreeSet<String>)| m.path == f.path)
            {
                Some((_, s)) => s.extend(services.iter().cloned()),
                None => mounted.push((f, services.clone())),
            }
        }
    }
    mounted.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let mut sorted: Vec<&SecretBinding> = bindings.iter().collect();
    sorted.sort_by(|a, b| a.var.cmp(&b.var));
    sorted.dedup_by(|a, b| a.var == b.var);
    for b in &sorted {
        let ok = !b.var.is_empty()
            && !b.var.starts_with(|c: char| c.is_ascii_digit())
            && b.var
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_');
        if !ok {
            return Err(Error::Project(format!(
                "`{}` is not a .env variable name",
                b.var
            )));
        }
    }
    Ok(Project {
        compose,
        mounted,
        operator_dirs,
        services: scan.services,
        images: scan.images,
        bindings: sorted,
    })
}

/// True for `a/b.c`-style paths: no `..`, no leading `/`, plain characters.
pub fn safe_relative_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && p.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b))
}

#[derive(Debug, Default)]
struct Scan {
    services: Vec<String>,
    images: BTreeMap<String, String>,
    /// Relative bind-mount source (without `./`) → services mounting it.
    mounts: BTreeMap<String, BTreeSet<String>>,
}

/// Reads service names, images and relative bind-mount sources from compose.yaml text in the
/// block layout kimai-model's YAML writer produces (two-space indent, long mount syntax, or
/// the short `./src:/dst` form).
fn scan(text: &str) -> Scan {
    let mut s = Scan::default();
    let mut in_services = false;
    let mut current: Option<String> = None;
    for line in text.lines() {
        // After the leading whitespace: empty exactly when the whole line is whitespace.
        let trimmed = trim_start(line);
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            in_services = line.trim_end() == "services:";
            current = None;
            continue;
        }
        if !in_services {
            continue;
        }
        if let Some(rest) = line.strip_prefix("  ") {
            if !rest.starts_with(' ') {
                current = rest
                    .trim_end()
                    .strip_suffix(':')
                    .map(|n| unquote(n).to_string());
                if let Some(name) = &current {
                    s.services.push(name.clone());
                }
                continue;
            }
        }
        let Some(service) = &current else { continue };
        if line.starts_with("    image: ") {
            s.images.insert(
                service.clone(),
                unquote(trimmed.trim_start_matches("image: ").trim_end()).to_string(),
            );
            continue;
        }
        let item = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        let source = if let Some(v) = item.strip_prefix("source: ") {
            Some(unquote(v.trim_end()))
        } else {
            // Short syntax: `- ./src:/dst[:ro]`.
            let v = unquote(item.trim_end());
            (v.starts_with("./") && v.contains(':'))
                .then(|| v.split(':').next().unwrap_or_default())
        };
        if let Some(rel) = source.and_then(|v| v.strip_prefix("./")) {
            let rel = rel.trim_end_matches('/').to_string();
            s.mounts.entry(rel).or_default().insert(service.clone());
        }
    }
    s
}

/// `s.trim_start()`, skipping ASCII whitespace a byte at a time (`char::is_whitespace` for
/// the rest).
fn trim_start(s: &str) -> &str {
    let n = s
        .bytes()
        .take_while(|b| matches!(b, b' ' | b'\t'..=b'\r'))
        .count();
    let rest = &s[n..];
    match rest.as_bytes().first() {
        Some(b) if !b.is_ascii() => rest.trim_start(),
        _ => rest,
    }
}

fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_services_images_and_bind_mounts() {
        let text = "# c\nname: x\nservices:\n  db:\n    image: mariadb:11.4\n    volumes:\n      - type: volume\n        source: db-data\n  proxy:\n    image: nginx:1\n    volumes:\n      - type: bind\n        source: \"./nginx/kimai.conf\"\n        target: /etc/nginx/conf.d/default.conf\n      - type: bind\n        source: \"./certs\"\n  kimai:\n    image: k\n    volumes:\n      - ./kimai/local.yaml:/opt/kimai/config/packages/local.yaml:ro\nvolumes:\n  db-data: {}\n";
        let s = scan(text);
        assert_eq!(s.services, ["db", "proxy", "kimai"]);
        assert_eq!(s.images["db"], "mariadb:11.4");
        let mounts: Vec<_> = s.mounts.keys().map(String::as_str).collect();
        assert_eq!(mounts, ["certs", "kimai/local.yaml", "nginx/kimai.conf"]);
        assert!(s.mounts["certs"].contains("proxy"));
        assert!(s.mounts["kimai/local.yaml"].contains("kimai"));
    }

    #[test]
    fn trims_as_the_standard_library() {
        for s in [
            "",
            " ",
            "  x ",
            "\t\x0b\x0c\r\n y",
            "\u{a0}x",
            " \u{2003} x",
            " \u{e9}",
            "\u{85}",
            " \u{1f600}",
        ] {
            assert_eq!(trim_start(s), s.trim_start(), "{s:?}");
        }
    }

    #[test]
    fn relative_paths() {
        assert!(safe_relative_path("nginx/kimai.conf"));
        assert!(!safe_relative_path("../etc"));
        assert!(!safe_relative_path("/etc"));
        assert!(!safe_relative_path("a//b"));
        assert!(!safe_relative_path("a b"));
    }
}
