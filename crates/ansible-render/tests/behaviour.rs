//! What the Ansible output must guarantee for every example spec: the `.env` template renders to
//! exactly compose-render's `.env`, compose files are copied byte-exact, no secret reaches an
//! output, docker work is tagged, and rendering is deterministic.

mod common;

use std::collections::BTreeMap;

use kimai_model::Validated;
use serde_yaml::Value;

/// Vault values with everything that breaks naive quoting, URL building or templating.
fn hard_values(model: &Validated) -> BTreeMap<String, String> {
    let samples = [
        "S3cr3t/@:?#&%+ $x'\"!",
        "{{ not_a_variable }} {% raw %} {# c #}",
        "line one\nline two\n",
        "Zeiterfassung – größer ✓ ~tilde~",
        "back\\slash \\n \\$HOME ${NOT_A_VAR} $$",
    ];
    model
        .secrets()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                s.name().to_string(),
                format!("{}<{}>", samples[i % samples.len()], s.name()),
            )
        })
        .collect()
}

/// Renders `templates/env.j2` the way Ansible's template module does (trim_blocks, trailing
/// newline kept), with `vault_<secret>` variables.
fn render_env_template(template: &str, values: &BTreeMap<String, String>) -> String {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    let ctx: BTreeMap<String, String> = values
        .iter()
        .map(|(k, v)| {
            (
                kimai_model::SecretRef::new(k.clone()).vault_var(),
                v.clone(),
            )
        })
        .collect();
    env.render_str(template, ctx).expect("env.j2 renders")
}

#[test]
fn env_template_renders_exactly_compose_renders_env_file() {
    for path in common::example_specs() {
        let (model, rendered) = common::render_spec(&path);
        let values = hard_values(&model);
        let template = &rendered.file("templates/env.j2").expect("env.j2").contents;
        let got = render_env_template(template, &values);
        let want = compose_render::env_file(&model, &values).expect("every secret has a value");
        assert_eq!(got, want, "{}", path.display());
    }
}

#[test]
fn env_values_read_back_byte_exact() {
    // Parse the rendered .env the way Docker Compose does for double-quoted values.
    fn unquote(v: &str) -> String {
        let inner = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .expect("quoted");
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(o) => out.push(o),
                    None => panic!("dangling backslash"),
                }
            } else {
                out.push(c);
            }
        }
        out
    }
    let model = common::model(&common::example_specs()[0]);
    let rendered = common::render(&model);
    let values = hard_values(&model);
    let env = render_env_template(
        &rendered.file("templates/env.j2").expect("env.j2").contents,
        &values,
    );
    for b in compose_render::secret_bindings(&model) {
        let line = env
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{}=", b.var)))
            .expect("a line per binding");
        let raw = &values[b.secret.name()];
        let want = match b.encoding {
            kimai_model::SecretEncoding::Raw => raw.clone(),
            kimai_model::SecretEncoding::UrlEncoded => kimai_model::url_encode(raw),
        };
        assert_eq!(unquote(line), want, "{}", b.var);
    }
}

#[test]
fn compose_files_are_copied_byte_exact() {
    for path in common::example_specs() {
        let (model, rendered) = common::render_spec(&path);
        let (compose, _) = common::compose(&model);
        let stored = |rel: &str| format!("files/{}", ansible_render::stored_path(rel));
        let compose_yaml = compose.file("compose.yaml").expect("compose.yaml");
        assert_eq!(
            rendered
                .file(&stored("compose.yaml"))
                .expect("copied")
                .contents,
            compose_yaml.contents
        );
        for f in &rendered.files {
            if let Some(rel) = f.path.strip_prefix("files/compose/") {
                let rel = rel.strip_suffix(".verbatim").unwrap_or(rel);
                assert_eq!(stored(rel), f.path);
                assert_eq!(
                    compose.file(rel).expect("from compose").contents,
                    f.contents
                );
            }
            // No YAML that is not Ansible's under files/: ansible-lint would lint it with
            // its own rules from whatever folder it is started.
            if f.path.starts_with("files/") {
                assert!(
                    !f.path.ends_with(".yaml") && !f.path.ends_with(".yml"),
                    "{}",
                    f.path
                );
            }
        }
        // The proxy config is shipped when compose.yaml mounts it.
        assert!(rendered.file(&stored("nginx/kimai.conf")).is_some());
        if model.spec().app.local_yaml.is_some() {
            assert!(rendered.file(&stored("kimai/local.yaml")).is_some());
        }
        // Operator documentation stays on the controller.
        assert!(rendered.file(&stored(".env.example")).is_none());
    }
}

#[test]
fn tls_files_point_where_the_proxy_reads() {
    let path = common::example_specs()
        .into_iter()
        .find(|p| p.ends_with("single-host-tls.yaml"))
        .expect("spec");
    let (model, rendered) = common::render_spec(&path);
    let (compose, _) = common::compose(&model);
    let nginx = &compose
        .file("nginx/kimai.conf")
        .expect("proxy config")
        .contents;
    for f in [ansible_render::CERT_CHAIN, ansible_render::CERT_KEY] {
        assert!(nginx.contains(&format!("/etc/nginx/certs/{f}")));
    }
    let site = &rendered.file("site.yml").expect("site").contents;
    assert!(
        site.contains("dest: \"{{ kimai_deploy_dir }}/certs/privkey.pem\"\n        mode: \"0600\"")
    );
    assert!(rendered.file("files/backup.sh").is_some());
}

#[test]
fn no_secret_value_reaches_any_output() {
    for path in common::example_specs() {
        let (model, rendered) = common::render_spec(&path);
        let values = hard_values(&model);
        for f in &rendered.files {
            for v in values.values() {
                assert!(
                    !f.contents.contains(v.as_str()),
                    "{} leaks a secret",
                    f.path
                );
            }
        }
        let vault = &rendered
            .file("group_vars/all/vault.yml.example")
            .expect("vault")
            .contents;
        let parsed: BTreeMap<String, String> = serde_yaml::from_str(vault).expect("yaml");
        assert!(parsed.values().all(String::is_empty));
        let want: std::collections::BTreeSet<String> = compose_render::secret_bindings(&model)
            .iter()
            .map(|b| b.secret.vault_var())
            .collect();
        assert_eq!(
            parsed
                .keys()
                .cloned()
                .collect::<std::collections::BTreeSet<_>>(),
            want
        );
    }
}

#[test]
fn rendering_twice_is_byte_identical() {
    for path in common::example_specs() {
        let model = common::model(&path);
        assert_eq!(common::render(&model), common::render(&model));
    }
}

fn tasks(site: &str) -> Vec<Value> {
    let plays: Vec<Value> = serde_yaml::from_str(site).expect("site.yml is YAML");
    let mut v = Vec::new();
    for p in plays {
        for key in ["tasks", "handlers"] {
            if let Some(Value::Sequence(t)) = p.get(key) {
                v.extend(t.iter().cloned());
            }
        }
    }
    v
}

#[test]
fn docker_work_is_tagged_and_the_rest_only_writes_files() {
    const KEYWORDS: [&str; 11] = [
        "name",
        "loop",
        "register",
        "changed_when",
        "failed_when",
        "check_mode",
        "when",
        "notify",
        "no_log",
        "diff",
        "tags",
    ];
    for path in common::example_specs() {
        let (_, rendered) = common::render_spec(&path);
        for t in tasks(&rendered.file("site.yml").expect("site").contents) {
            let Value::Mapping(m) = &t else {
                panic!("task is a map")
            };
            let modules: Vec<&str> = m
                .keys()
                .filter_map(Value::as_str)
                .filter(|k| !KEYWORDS.contains(k))
                .collect();
            assert_eq!(modules.len(), 1, "{t:?}");
            let module = modules[0];
            assert!(
                module.starts_with("ansible.builtin.") || module.starts_with("community.docker.")
            );
            let tags: Vec<&str> = t
                .get("tags")
                .and_then(Value::as_sequence)
                .map(|s| s.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let file_only = matches!(
                module,
                "ansible.builtin.file"
                    | "ansible.builtin.copy"
                    | "ansible.builtin.template"
                    | "ansible.builtin.assert"
            );
            if !file_only {
                assert!(tags.contains(&"docker"), "{module} must be tagged docker");
            }
            if tags.contains(&"start") {
                assert!(tags.contains(&"docker"), "{t:?}");
            }
            if module == "ansible.builtin.command" {
                assert_eq!(t["changed_when"], Value::Bool(false), "{t:?}");
            }
        }
    }
}

#[test]
fn every_yaml_output_parses() {
    for path in common::example_specs() {
        let (_, rendered) = common::render_spec(&path);
        for f in &rendered.files {
            if f.path.ends_with(".yml") || f.path.ends_with(".yaml") || f.path.ends_with(".example")
            {
                let _: Value =
                    serde_yaml::from_str(&f.contents).unwrap_or_else(|e| panic!("{}: {e}", f.path));
            }
        }
    }
}

#[test]
fn inventory_lists_the_hosts_or_says_to_add_them() {
    for path in common::example_specs() {
        let (model, rendered) = common::render_spec(&path);
        let inv = &rendered.file("inventory.yml").expect("inventory").contents;
        let v: Value = serde_yaml::from_str(inv).expect("yaml");
        let a = &model.spec().targets.ansible;
        for (name, addr) in &a.hosts {
            assert_eq!(
                v["kimai"]["hosts"][name.as_str()]["ansible_host"].as_str(),
                Some(addr.as_str())
            );
        }
        assert_eq!(
            v["kimai"]["vars"]["ansible_user"].as_str(),
            Some(a.user.as_str())
        );
        if a.hosts.is_empty() {
            assert!(inv.contains("No hosts yet"));
        }
        let main: Value = serde_yaml::from_str(
            &rendered
                .file("group_vars/all/main.yml")
                .expect("main")
                .contents,
        )
        .expect("yaml");
        assert_eq!(
            main["kimai_deploy_dir"].as_str(),
            Some(a.deploy_dir.as_str())
        );
    }
}

#[test]
fn invalid_projects_are_errors_not_panics() {
    let model = common::model(&common::example_specs()[0]);
    let none = ansible_render::ComposeProject {
        files: &[],
        bindings: &[],
        notices: &[],
    };
    let err =
        ansible_render::render(&model, &none, &ansible_render::Options::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot deploy the compose project: the compose project has no `compose.yaml`"
    );
    let files = [kimai_model::OutputFile::new(
        "compose.yaml",
        "services:\n  proxy:\n    volumes:\n      - type: bind\n        source: \"./../etc\"\n",
    )];
    let bad = ansible_render::ComposeProject {
        files: &files,
        bindings: &[],
        notices: &[],
    };
    let err =
        ansible_render::render(&model, &bad, &ansible_render::Options::default()).unwrap_err();
    assert!(err.to_string().contains("`./../etc`"), "{err}");
}

fn play(rendered: &kimai_model::Rendered) -> Value {
    let plays: Vec<Value> =
        serde_yaml::from_str(&rendered.file("site.yml").expect("site").contents).expect("yaml");
    assert_eq!(plays.len(), 1);
    plays[0].clone()
}

fn module(task: &Value) -> String {
    task.as_mapping()
        .expect("map")
        .keys()
        .filter_map(Value::as_str)
        .find(|k| k.starts_with("ansible.builtin.") || k.starts_with("community."))
        .expect("module")
        .to_string()
}

#[test]
fn every_check_runs_before_the_first_change() {
    // Modules that only read the host or stop the play.
    const READ_ONLY: [&str; 5] = [
        "ansible.builtin.assert",
        "ansible.builtin.command",
        "ansible.builtin.find",
        "ansible.builtin.stat",
        "ansible.builtin.debug",
    ];
    for path in common::example_specs() {
        let (_, rendered) = common::render_spec(&path);
        let tasks = tasks(&rendered.file("site.yml").expect("site").contents);
        let first_change = tasks
            .iter()
            .position(|t| !READ_ONLY.contains(&module(t).as_str()))
            .expect("the play changes something");
        let checks: Vec<usize> = tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                t["ansible.builtin.assert"]["fail_msg"]
                    .as_str()
                    .is_some_and(|m| m.contains("Nothing was changed."))
            })
            .map(|(i, _)| i)
            .collect();
        assert!(checks.len() >= 4, "{}", path.display());
        assert!(
            checks.iter().all(|&i| i < first_change),
            "{}: a check after task {first_change}",
            path.display()
        );
        // The version check names the minimum versions.
        let versions = tasks
            .iter()
            .find(|t| {
                t["name"]
                    .as_str()
                    .is_some_and(|n| n.contains("versions before changing anything"))
            })
            .expect("version check");
        let msg = versions["ansible.builtin.assert"]["fail_msg"]
            .as_str()
            .unwrap();
        assert!(msg.contains(&format!("Engine {} or newer", ansible_render::ENGINE_MIN)));
        assert!(msg.contains(&format!("v2 {} or newer", ansible_render::COMPOSE_MIN)));
    }
}

#[test]
fn handlers_are_forced_and_run_only_when_services_start() {
    for path in common::example_specs() {
        let (_, rendered) = common::render_spec(&path);
        let p = play(&rendered);
        assert_eq!(p["force_handlers"], Value::Bool(true));
        let start = p["vars"]["kimai_start_runs"]
            .as_str()
            .expect("kimai_start_runs");
        assert!(
            start.contains("'start' not in ansible_skip_tags"),
            "{start}"
        );
        for h in p["handlers"].as_sequence().into_iter().flatten() {
            assert_eq!(h["when"][0].as_str(), Some("kimai_start_runs"));
            let tags: Vec<&str> = h["tags"]
                .as_sequence()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(tags, ["docker", "start"]);
        }
        // The tasks that need a running Docker carry the start tag.
        for t in p["tasks"].as_sequence().unwrap() {
            let m = module(t);
            if m == "ansible.builtin.service" || m == "community.docker.docker_compose_v2" {
                let tags: Vec<&str> = t["tags"]
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                assert!(tags.contains(&"start"), "{t:?}");
            }
        }
    }
}

#[test]
fn the_admin_password_length_is_checked_when_the_spec_sets_one() {
    let (min, max) = kimai_model::ADMIN_PASSWORD_LENGTH;
    for path in common::example_specs() {
        let (model, rendered) = common::render_spec(&path);
        let p = play(&rendered);
        let check = p["tasks"].as_sequence().unwrap().iter().find(|t| {
            t["name"]
                .as_str()
                .is_some_and(|n| n.ends_with(&format!("has {min} to {max} characters")))
        });
        match &model.spec().app.admin_password {
            Some(secret) => {
                let t = check.expect("admin password check");
                let var = secret.vault_var();
                assert_eq!(
                    t["ansible.builtin.assert"]["that"][0].as_str(),
                    Some(
                        format!(
                            "{var} | string | length >= {min} and {var} | string | length <= {max}"
                        )
                        .as_str()
                    )
                );
                assert_eq!(t["tags"][0].as_str(), Some("files"));
            }
            None => assert!(check.is_none(), "{}", path.display()),
        }
    }
}

#[test]
fn the_local_inventory_puts_this_machine_in_the_group() {
    for path in common::example_specs() {
        let (_, rendered) = common::render_spec(&path);
        let f = rendered
            .file(ansible_render::LOCAL_INVENTORY)
            .expect("local inventory");
        let v: Value = serde_yaml::from_str(&f.contents).expect("yaml");
        let host = &v[ansible_render::GROUP]["hosts"]["localhost"];
        assert_eq!(host["ansible_connection"].as_str(), Some("local"));
        let readme = &rendered.file("README.md").expect("readme").contents;
        assert!(readme.contains(&format!("-i {} site.yml", ansible_render::LOCAL_INVENTORY)));
    }
}

#[test]
fn yaml_lines_fit_ansible_lint_and_site_yml_reads_back_as_the_play() {
    for path in common::example_specs() {
        let (model, rendered) = common::render_spec(&path);
        for f in &rendered.files {
            let ours = !f.path.starts_with("files/")
                && (f.path.ends_with(".yml") || f.path.ends_with(".example"));
            if ours {
                for line in f.contents.lines() {
                    assert!(line.chars().count() <= 160, "{}: {line}", f.path);
                }
            }
        }
        let (compose, bindings) = common::compose(&model);
        let project = ansible_render::ComposeProject {
            files: &compose.files,
            bindings: &bindings,
            notices: &compose.notices,
        };
        let play = ansible_render::playbook(&model, &project).expect("play");
        let want = serde_json::to_value(vec![play]).expect("json");
        let got: serde_json::Value =
            serde_yaml::from_str(&rendered.file("site.yml").expect("site").contents).expect("yaml");
        assert_eq!(got, want, "{}", path.display());
    }
}
