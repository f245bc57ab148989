//! The pod watcher: RBAC grants exactly get/list/watch on pods to the watcher's ServiceAccount
//! only, no Role of any example spec has a wildcard, the token reaches the watcher alone, the
//! pod is hardened, egress goes to the API server and DNS only; kubectl renders the output
//! template, and the rendered script, run against a fake API server, logs the list once, every
//! event with a UTC time, restarts the watch without logging the list again, exits when
//! kubectl fails, and stops at once on SIGTERM.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kimai_model::{load, Format, Validated};
use serde::Deserialize as _;
use serde_yaml::Value;

const BASE: &str = "name: kimai\ningress: { host: kimai.example.com }\n";

fn model(yaml: &str) -> Validated {
    load(yaml.as_bytes(), Format::Yaml).expect("valid spec")
}

fn docs_of(r: &kimai_model::Rendered) -> Vec<Value> {
    let mut docs = Vec::new();
    for f in &r.files {
        if f.path.contains('/') || !f.path.ends_with(".yaml") || f.path == "kustomization.yaml" {
            continue;
        }
        for d in serde_yaml::Deserializer::from_str(&f.contents) {
            docs.push(Value::deserialize(d).expect("yaml parses"));
        }
    }
    docs
}

fn render(m: &Validated) -> Vec<Value> {
    docs_of(&k8s_render::render(m, &k8s_render::Options::default()).expect("renders"))
}

fn example_specs() -> Vec<(PathBuf, Validated)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/specs");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples/specs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    v.sort();
    v.into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("readable");
            let m = load(&bytes, Format::from_file_name(&p.to_string_lossy())).expect("valid");
            (p, m)
        })
        .collect()
}

fn kind(d: &Value) -> &str {
    d["kind"].as_str().unwrap_or_default()
}

fn name(d: &Value) -> &str {
    d["metadata"]["name"].as_str().unwrap_or_default()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_sequence()
        .into_iter()
        .flatten()
        .map(|s| s.as_str().expect("string"))
        .collect()
}

fn one<'a>(docs: &'a [Value], k: &str, n: &str) -> &'a Value {
    let found: Vec<&Value> = docs
        .iter()
        .filter(|d| kind(d) == k && name(d) == n)
        .collect();
    assert_eq!(found.len(), 1, "exactly one {k} {n}");
    found[0]
}

fn watcher_spec(extra: &str) -> Validated {
    model(&format!(
        "{BASE}targets: {{ kubernetes: {{ namespace: team-a, pod_watcher: {{ enabled: true{extra} }} }} }}\n"
    ))
}

#[test]
fn off_by_default_and_on_in_the_embedded_default_spec() {
    let docs = render(&model(BASE));
    assert!(docs
        .iter()
        .all(|d| !matches!(kind(d), "Role" | "RoleBinding" | "ClusterRole")));
    let r = k8s_render::render(&model(BASE), &k8s_render::Options::default()).expect("renders");
    assert!(r.file("pod-watcher.yaml").is_none());

    let production = example_specs()
        .into_iter()
        .find(|(p, _)| p.ends_with("production.yaml"))
        .expect("the embedded default spec")
        .1;
    let r = k8s_render::render(&production, &k8s_render::Options::default()).expect("renders");
    assert!(r.file("pod-watcher.yaml").is_some());
    let kustomization = &r
        .file("kustomization.yaml")
        .expect("kustomization")
        .contents;
    assert!(kustomization.contains("\n  - pod-watcher.yaml\n"));
}

#[test]
fn no_role_of_any_example_spec_has_a_wildcard() {
    let mut roles = 0;
    for (path, m) in example_specs() {
        for d in render(&m) {
            assert_ne!(kind(&d), "ClusterRole", "{path:?}: namespaced RBAC only");
            assert_ne!(
                kind(&d),
                "ClusterRoleBinding",
                "{path:?}: namespaced RBAC only"
            );
            if kind(&d) != "Role" {
                continue;
            }
            roles += 1;
            for rule in d["rules"].as_sequence().expect("rules") {
                for key in [
                    "apiGroups",
                    "resources",
                    "verbs",
                    "resourceNames",
                    "nonResourceURLs",
                ] {
                    for s in strings(&rule[key]) {
                        assert!(!s.contains('*'), "{path:?} {}: `{s}` in {key}", name(&d));
                    }
                }
            }
        }
    }
    assert!(roles >= 2, "the examples enable the watcher");
}

#[test]
fn the_role_grants_exactly_get_list_watch_on_pods() {
    let m = watcher_spec("");
    let id = k8s_render::Identity::new(&m);
    let docs = render(&m);
    let role = one(&docs, "Role", &id.pod_watcher());
    assert_eq!(role["metadata"]["namespace"].as_str(), Some("team-a"));
    let rules = role["rules"].as_sequence().expect("rules");
    assert_eq!(rules.len(), 1, "one rule");
    let rule = &rules[0];
    assert_eq!(strings(&rule["apiGroups"]), [""], "the core API group");
    assert_eq!(
        strings(&rule["resources"]),
        ["pods"],
        "pods, no sub-resource"
    );
    let verbs: BTreeSet<&str> = strings(&rule["verbs"]).into_iter().collect();
    assert_eq!(verbs, BTreeSet::from(["get", "list", "watch"]));
    assert_eq!(strings(&rule["verbs"]).len(), 3, "no verb twice");
    let keys: BTreeSet<&str> = rule
        .as_mapping()
        .expect("rule")
        .keys()
        .map(|k| k.as_str().expect("key"))
        .collect();
    assert_eq!(keys, BTreeSet::from(["apiGroups", "resources", "verbs"]));
}

#[test]
fn the_role_binding_binds_the_watcher_service_account_only() {
    for (path, m) in example_specs()
        .into_iter()
        .chain([(PathBuf::from("inline"), watcher_spec(""))])
    {
        let id = k8s_render::Identity::new(&m);
        let docs = render(&m);
        for b in docs.iter().filter(|d| kind(d) == "RoleBinding") {
            assert_eq!(b["roleRef"]["apiGroup"], "rbac.authorization.k8s.io");
            assert_eq!(b["roleRef"]["kind"], "Role", "{path:?}");
            let role = b["roleRef"]["name"].as_str().expect("role name");
            one(&docs, "Role", role);
            let subjects = b["subjects"].as_sequence().expect("subjects");
            assert_eq!(subjects.len(), 1, "{path:?}: one subject");
            let s = &subjects[0];
            assert_eq!(s["kind"], "ServiceAccount");
            assert_eq!(s["name"].as_str(), Some(id.pod_watcher().as_str()));
            assert_eq!(s["namespace"].as_str(), Some(id.namespace()));
            assert!(s["apiGroup"].is_null());
            one(&docs, "ServiceAccount", &id.pod_watcher());
            // The Role is bound once: no other subject reaches it.
            let bindings = docs
                .iter()
                .filter(|d| kind(d) == "RoleBinding" && d["roleRef"]["name"] == role)
                .count();
            assert_eq!(bindings, 1);
        }
    }
}

/// Every pod template, with its workload.
fn pods(docs: &[Value]) -> Vec<(&Value, &Value)> {
    docs.iter()
        .filter_map(|d| match kind(d) {
            "Deployment" | "StatefulSet" => Some((d, &d["spec"]["template"])),
            "CronJob" => Some((d, &d["spec"]["jobTemplate"]["spec"]["template"])),
            _ => None,
        })
        .collect()
}

#[test]
fn the_token_reaches_the_watcher_container_only() {
    for (path, m) in example_specs()
        .into_iter()
        .chain([(PathBuf::from("inline"), watcher_spec(""))])
    {
        let id = k8s_render::Identity::new(&m);
        let docs = render(&m);
        for sa in docs.iter().filter(|d| kind(d) == "ServiceAccount") {
            assert_eq!(sa["automountServiceAccountToken"], false, "{path:?}");
        }
        for (w, t) in pods(&docs) {
            let spec = &t["spec"];
            assert_eq!(spec["automountServiceAccountToken"], false, "{path:?}");
            let token_volumes: Vec<&str> = spec["volumes"]
                .as_sequence()
                .into_iter()
                .flatten()
                .filter(|v| {
                    v["projected"]["sources"]
                        .as_sequence()
                        .into_iter()
                        .flatten()
                        .any(|s| s["serviceAccountToken"].is_mapping())
                })
                .map(|v| v["name"].as_str().expect("volume name"))
                .collect();
            if name(w) != id.pod_watcher() {
                assert!(
                    token_volumes.is_empty(),
                    "{path:?}: {} has a token",
                    name(w)
                );
                continue;
            }
            assert_eq!(token_volumes.len(), 1);
            assert_eq!(spec["serviceAccountName"].as_str(), Some(name(w)));
            let containers = spec["containers"].as_sequence().expect("containers");
            assert_eq!(containers.len(), 1);
            assert!(spec["initContainers"].is_null());
            let mount = containers[0]["volumeMounts"]
                .as_sequence()
                .expect("mounts")
                .iter()
                .find(|m| m["name"].as_str() == Some(token_volumes[0]))
                .expect("the token is mounted");
            assert_eq!(mount["mountPath"], k8s_render::watcher::TOKEN_DIR);
            assert_eq!(mount["readOnly"], true);
        }
    }
}

#[test]
fn the_deploy_note_names_the_watcher_and_what_to_narrow() {
    let note = |m: &Validated| {
        k8s_render::render(m, &k8s_render::Options::default())
            .expect("renders")
            .file("README.md")
            .expect("note")
            .contents
            .clone()
    };
    assert!(!note(&model(BASE)).contains("watcher"));
    let m = watcher_spec("");
    let id = k8s_render::Identity::new(&m);
    let text = note(&m);
    assert!(text.contains(&format!(
        "`kubectl -n team-a logs deployment/{} -f`",
        id.pod_watcher()
    )));
    assert!(text.contains("`alpine/kubectl:1.36.3`"));
    assert!(
        text.contains("api_server_cidrs"),
        "unset: the note says how to narrow"
    );
    let text = note(&watcher_spec(", api_server_cidrs: [10.0.0.0/16]"));
    assert!(!text.contains("api_server_cidrs"), "set: nothing to narrow");
}

#[test]
fn the_watcher_is_hardened_and_sized() {
    let m = watcher_spec(", cpu: 20m, memory: 96Mi");
    let id = k8s_render::Identity::new(&m);
    let docs = render(&m);
    let d = one(&docs, "Deployment", &id.pod_watcher());
    assert_eq!(d["spec"]["replicas"], 1);
    assert_eq!(d["spec"]["strategy"]["type"], "Recreate");
    let spec = &d["spec"]["template"]["spec"];
    assert_eq!(spec["securityContext"]["runAsNonRoot"], true);
    assert_eq!(spec["securityContext"]["runAsUser"], 65534);
    assert_eq!(
        spec["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    let c = &spec["containers"][0];
    assert_eq!(c["image"], kimai_model::DEFAULT_POD_WATCHER_IMAGE);
    let sc = &c["securityContext"];
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["runAsNonRoot"], true);
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(sc["privileged"], false);
    assert_eq!(strings(&sc["capabilities"]["drop"]), ["ALL"]);
    assert!(sc["capabilities"]["add"].is_null());
    assert_eq!(c["resources"]["requests"]["cpu"], "20m");
    assert_eq!(c["resources"]["requests"]["memory"], "96Mi");
    assert_eq!(c["resources"]["limits"]["memory"], "96Mi");
    assert_eq!(c["resources"]["limits"]["cpu"], "250m");
    let m = watcher_spec(", cpu: \"0.5\"");
    let d = render(&m);
    let c = &one(&d, "Deployment", &id.pod_watcher())["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["resources"]["limits"]["cpu"], "0.5",
        "never below the request"
    );
    // Writable only where kubectl and the loop write: /tmp.
    let writable: Vec<&str> = c["volumeMounts"]
        .as_sequence()
        .expect("mounts")
        .iter()
        .filter(|m| m["readOnly"] != true)
        .map(|m| m["mountPath"].as_str().expect("path"))
        .collect();
    assert_eq!(writable, ["/tmp"]);
}

#[test]
fn egress_reaches_only_the_api_server_and_dns() {
    let check = |m: Validated, cidrs: &[&str], ports: &[i64]| {
        let id = k8s_render::Identity::new(&m);
        let docs = render(&m);
        let p = one(&docs, "NetworkPolicy", &id.pod_watcher());
        let spec = &p["spec"];
        let pod = &one(&docs, "Deployment", &id.pod_watcher())["spec"]["template"];
        let selector = spec["podSelector"]["matchLabels"]
            .as_mapping()
            .expect("selector");
        for (k, v) in selector {
            assert_eq!(&pod["metadata"]["labels"][k], v, "selects the watcher");
        }
        assert_eq!(strings(&spec["policyTypes"]), ["Ingress", "Egress"]);
        assert_eq!(spec["ingress"].as_sequence().map(Vec::len), Some(0));
        let egress = spec["egress"].as_sequence().expect("egress");
        assert_eq!(egress.len(), 2);
        let got: Vec<&str> = egress[0]["to"]
            .as_sequence()
            .expect("to")
            .iter()
            .map(|t| {
                assert!(t["namespaceSelector"].is_null() && t["podSelector"].is_null());
                assert!(t["ipBlock"]["except"].is_null());
                t["ipBlock"]["cidr"].as_str().expect("cidr")
            })
            .collect();
        assert_eq!(got, cidrs);
        let got: Vec<i64> = egress[0]["ports"]
            .as_sequence()
            .expect("ports")
            .iter()
            .map(|p| {
                assert_eq!(p["protocol"], "TCP");
                p["port"].as_i64().expect("port")
            })
            .collect();
        assert_eq!(got, ports);
        let dns = &egress[1];
        assert_eq!(
            dns["to"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
            "kube-system"
        );
        let dns_ports: Vec<(String, i64)> = dns["ports"]
            .as_sequence()
            .expect("ports")
            .iter()
            .map(|p| {
                (
                    p["protocol"].as_str().expect("protocol").to_string(),
                    p["port"].as_i64().expect("port"),
                )
            })
            .collect();
        assert_eq!(dns_ports, [("UDP".into(), 53), ("TCP".into(), 53)]);
    };
    check(watcher_spec(""), &["0.0.0.0/0", "::/0"], &[443, 6443]);
    // Behind an ALB (EKS): the VPC's ranges, the spec's or else RFC 1918.
    let eks = |aws: &str, watcher: &str| {
        model(&format!(
            "{BASE}{aws}targets: {{ kubernetes: {{ ingress_class: alb, pod_watcher: {{ enabled: true{watcher} }} }} }}\n"
        ))
    };
    check(
        eks(
            "aws: { region: eu-west-1, account_id: \"123456789012\", vpc_cidrs: [10.20.0.0/16] }\n",
            "",
        ),
        &["10.20.0.0/16"],
        &[443, 6443],
    );
    check(
        eks("", ""),
        &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
        &[443, 6443],
    );
    check(
        eks(
            "",
            ", api_server_cidrs: [10.0.0.5], api_server_ports: [443]",
        ),
        &["10.0.0.5/32"],
        &[443],
    );
    check(
        watcher_spec(
            ", api_server_cidrs: [10.0.0.0/16, 192.0.2.10, \"2001:db8::1\"], api_server_ports: [6443]",
        ),
        &["10.0.0.0/16", "192.0.2.10/32", "2001:db8::1/128"],
        &[6443],
    );
}

#[test]
fn datadog_collects_the_watcher_lines_with_the_apps_tags() {
    let m = watcher_spec("");
    let id = k8s_render::Identity::new(&m);
    let d = render(&m);
    let d = one(&d, "Deployment", &id.pod_watcher());
    assert!(d["spec"]["template"]["metadata"]["annotations"].is_null());

    let m = model(&format!(
        "{BASE}environment: staging\nmonitoring: {{ datadog: {{ enabled: true }} }}\ntargets: {{ kubernetes: {{ pod_watcher: {{ enabled: true }} }} }}\n"
    ));
    let docs = render(&m);
    let watcher = one(&docs, "Deployment", &id.pod_watcher());
    let kimai = one(&docs, "Deployment", id.app());
    let meta = &watcher["spec"]["template"]["metadata"];
    let key = format!("ad.datadoghq.com/{}.logs", k8s_render::watcher::CONTAINER);
    let logs: serde_json::Value =
        serde_json::from_str(meta["annotations"][key.as_str()].as_str().expect("logs"))
            .expect("json");
    assert_eq!(logs[0]["service"], "kimai");
    for tag in ["env", "service", "version"] {
        let label = format!("tags.datadoghq.com/{tag}");
        assert_eq!(
            meta["labels"][label.as_str()],
            kimai["spec"]["template"]["metadata"]["labels"][label.as_str()],
            "the app's {tag} tag"
        );
    }
    assert_eq!(meta["labels"]["tags.datadoghq.com/env"], "staging");
}

/// The container's command and env.
fn command_and_env(docs: &[Value], watcher: &str) -> (String, Vec<String>) {
    let c = &one(docs, "Deployment", watcher)["spec"]["template"]["spec"]["containers"][0];
    let cmd = strings(&c["command"]);
    assert_eq!(&cmd[..2], ["/bin/sh", "-c"]);
    let env = c["env"]
        .as_sequence()
        .expect("env")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_string())
        .collect();
    (cmd[2].to_string(), env)
}

#[test]
fn the_kubelet_passes_the_script_unchanged() {
    // The kubelet expands `$(NAME)` of the container's variables and `$$` in commands.
    let m = watcher_spec("");
    let id = k8s_render::Identity::new(&m);
    let (script, env) = command_and_env(&render(&m), &id.pod_watcher());
    assert!(!script.contains("$$"));
    for name in env {
        assert!(!script.contains(&format!("$({name})")), "{name}");
    }
    assert!(script.contains(k8s_render::watcher::TEMPLATE));
}

/// True when `kubectl` runs here. Without it the kubectl tests print why they did nothing;
/// CI sets `KIMAI_REQUIRE_KUBECTL`, which turns that into a failure.
fn kubectl_available() -> bool {
    let ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("KIMAI_REQUIRE_KUBECTL").is_none(),
            "kubectl is required (KIMAI_REQUIRE_KUBECTL is set)"
        );
        eprintln!("kubectl not found: skipping the kubectl test");
    }
    ok
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("k8s-render-watcher-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A pod as the API server sends it; `node` and `ip` absent while the pod is pending.
fn pod(
    name: &str,
    phase: &str,
    node: Option<&str>,
    ip: Option<&str>,
    rv: u32,
) -> serde_json::Value {
    let mut status = serde_json::json!({ "phase": phase });
    let mut spec = serde_json::json!({ "containers": [{ "name": "c", "image": "i" }] });
    if let Some(n) = node {
        spec["nodeName"] = n.into();
    }
    if let Some(i) = ip {
        status["podIP"] = i.into();
    }
    serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": { "name": name, "namespace": "team-a", "resourceVersion": rv.to_string() },
        "spec": spec, "status": status,
    })
}

#[test]
fn kubectl_renders_the_template_offline() {
    if !kubectl_available() {
        return;
    }
    let dir = temp_dir("template");
    let expired = serde_json::json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "too old resource version: 5 (9)", "reason": "Expired", "code": 410,
    });
    let cases = [
        (
            "ADDED",
            pod("kimai-7d9c", "Pending", None, None, 1),
            "event=ADDED pod=kimai-7d9c phase=Pending node=- ip=-",
        ),
        (
            "MODIFIED",
            pod("kimai-7d9c", "Running", Some("node-1"), Some("10.0.3.7"), 2),
            "event=MODIFIED pod=kimai-7d9c phase=Running node=node-1 ip=10.0.3.7",
        ),
        (
            "DELETED",
            pod(
                "kimai-7d9c",
                "Succeeded",
                Some("node-1"),
                Some("10.0.3.7"),
                3,
            ),
            "event=DELETED pod=kimai-7d9c phase=Succeeded node=node-1 ip=10.0.3.7",
        ),
        (
            "ERROR",
            expired,
            r#"event=ERROR reason=Expired message="too old resource version: 5 (9)""#,
        ),
    ];
    for (i, (event, object, want)) in cases.into_iter().enumerate() {
        // What kubectl prints for `--output-watch-events`: a WatchEvent, `type` and `object`.
        let file = dir.join(format!("event-{i}.json"));
        let watch_event = serde_json::json!({
            "apiVersion": "v1", "kind": "WatchEvent", "type": event, "object": object,
        });
        std::fs::write(&file, watch_event.to_string()).expect("write");
        // `patch --local` with an empty merge patch prints the object read from the file,
        // through the same go-template printer, without a cluster.
        let out = Command::new("kubectl")
            .args(["patch", "--local", "--type=merge", "-p", "{}", "-f"])
            .arg(&file)
            .arg(format!(
                "--output=go-template={}",
                k8s_render::watcher::TEMPLATE
            ))
            .env("KUBECONFIG", dir.join("no-kubeconfig"))
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{want}\n"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A minimal Kubernetes API server for kubectl: discovery, then for each LIST of pods the
/// next of `phases` (a pod list and the watch events that follow it, or `None` for a 403).
struct FakeApiServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

/// An event type that keeps the watch open instead of sending an event.
const HOLD: &str = "HOLD";

type Phase = Option<(
    Vec<serde_json::Value>,
    Vec<(&'static str, serde_json::Value)>,
)>;

impl FakeApiServer {
    fn start(phases: Vec<Phase>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let phases = Arc::new(Mutex::new((phases, 0usize, 0usize)));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let log = Arc::clone(&log);
                let phases = Arc::clone(&phases);
                std::thread::spawn(move || serve(stream, &log, &phases));
            }
        });
        FakeApiServer { port, requests }
    }
}

/// Serves one connection: requests until the client closes it or a watch ends.
fn serve(stream: TcpStream, log: &Mutex<Vec<String>>, phases: &Mutex<(Vec<Phase>, usize, usize)>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut out = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                break;
            }
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        log.lock().expect("log").push(path.clone());
        let route = path.split('?').next().unwrap_or_default();
        let json = |out: &mut TcpStream, status: &str, body: serde_json::Value| {
            let body = body.to_string();
            let _ = write!(
                out,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
        };
        match route {
            "/version" => json(
                &mut out,
                "200 OK",
                serde_json::json!({ "major": "1", "minor": "33", "gitVersion": "v1.33.0" }),
            ),
            "/api" => json(
                &mut out,
                "200 OK",
                serde_json::json!({ "kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [] }),
            ),
            "/apis" => json(
                &mut out,
                "200 OK",
                serde_json::json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": [] }),
            ),
            "/api/v1" => json(
                &mut out,
                "200 OK",
                serde_json::json!({
                    "kind": "APIResourceList", "groupVersion": "v1",
                    "resources": [{ "name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": ["get", "list", "watch"] }],
                }),
            ),
            "/api/v1/namespaces/team-a/pods" if !path.contains("watch=true") => {
                let mut p = phases.lock().expect("phases");
                let i = p.1;
                p.1 += 1;
                match p.0.get(i).cloned().flatten() {
                    Some((items, _)) => json(
                        &mut out,
                        "200 OK",
                        serde_json::json!({
                            "kind": "PodList", "apiVersion": "v1",
                            "metadata": { "resourceVersion": (100 * (i + 1)).to_string() }, "items": items,
                        }),
                    ),
                    None => json(
                        &mut out,
                        "403 Forbidden",
                        serde_json::json!({
                            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "pods is forbidden", "reason": "Forbidden", "code": 403,
                        }),
                    ),
                }
            }
            "/api/v1/namespaces/team-a/pods" => {
                let events = {
                    let mut p = phases.lock().expect("phases");
                    let i = p.2;
                    p.2 += 1;
                    p.0.get(i)
                        .cloned()
                        .flatten()
                        .map(|(_, e)| e)
                        .unwrap_or_default()
                };
                // A watch: one JSON event per line, then the server ends it.
                let _ = write!(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
                for (t, object) in events {
                    if t == HOLD {
                        // A watch that stays open, as on a quiet namespace.
                        std::thread::sleep(Duration::from_secs(30));
                        return;
                    }
                    let _ = writeln!(
                        out,
                        "{}",
                        serde_json::json!({ "type": t, "object": object })
                    );
                    let _ = out.flush();
                    std::thread::sleep(Duration::from_millis(50));
                }
                return;
            }
            _ => json(
                &mut out,
                "404 Not Found",
                serde_json::json!({ "kind": "Status", "code": 404 }),
            ),
        }
    }
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ` (UTC).
fn epoch_seconds(ts: &str) -> Option<i64> {
    let b = ts.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| ts.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn phases() -> Vec<Phase> {
    vec![
        // First watch: the pod list is logged, then three events; the server ends the watch.
        Some((
            vec![pod(
                "kimai-a",
                "Running",
                Some("node-1"),
                Some("10.0.0.1"),
                1,
            )],
            vec![
                ("ADDED", pod("kimai-b", "Pending", None, None, 101)),
                (
                    "MODIFIED",
                    pod("kimai-b", "Running", Some("node-2"), Some("10.0.0.2"), 102),
                ),
                (
                    "DELETED",
                    pod("kimai-a", "Running", Some("node-1"), Some("10.0.0.1"), 103),
                ),
            ],
        )),
        // Second watch: the list (kimai-b) must not be logged again.
        Some((
            vec![pod(
                "kimai-b",
                "Running",
                Some("node-2"),
                Some("10.0.0.2"),
                102,
            )],
            vec![(
                "DELETED",
                pod(
                    "kimai-b",
                    "Succeeded",
                    Some("node-2"),
                    Some("10.0.0.2"),
                    201,
                ),
            )],
        )),
        // Third: the API server refuses (RBAC): the script exits.
        None,
    ]
}

/// A kubeconfig in `dir` for the fake API server on `port`.
fn write_kubeconfig(dir: &Path, port: u16) {
    let text = format!(
        "apiVersion: v1\nkind: Config\n\
         clusters: [{{name: fake, cluster: {{server: \"http://127.0.0.1:{port}\"}}}}]\n\
         contexts: [{{name: fake, context: {{cluster: fake}}}}]\ncurrent-context: fake\nusers: []\n"
    );
    std::fs::write(dir.join("kubeconfig"), text).expect("kubeconfig");
}

/// The rendered script of a watcher in namespace `team-a`, started with `shell` as the
/// container would run it (kubectl finds the fake API server through `KUBECONFIG`).
fn spawn_script(shell: &[&str], dir: &Path) -> std::process::Child {
    let m = watcher_spec("");
    let id = k8s_render::Identity::new(&m);
    let (script, _) = command_and_env(&render(&m), &id.pod_watcher());
    Command::new(shell[0])
        .args(&shell[1..])
        .arg("-c")
        .arg(&script)
        .env("WATCH_NAMESPACE", "team-a")
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .env("HOME", dir)
        .env("TZ", "America/New_York")
        .env("TMPDIR", dir)
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shell runs")
}

/// The child's exit status, or `None` (and the child killed) after `limit`.
fn wait_for_exit(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return Some(s);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `sh`, and BusyBox's `sh` (the image's shell) when this machine has it.
fn shells() -> Vec<Vec<&'static str>> {
    let mut shells = vec![vec!["sh"]];
    if Command::new("busybox")
        .arg("true")
        .status()
        .is_ok_and(|s| s.success())
    {
        shells.push(vec!["busybox", "sh"]);
    }
    shells
}

#[test]
fn the_script_logs_the_list_once_and_every_event_with_its_utc_time() {
    if !kubectl_available() {
        return;
    }
    let dir = temp_dir("script");
    for shell in shells() {
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs() as i64;
        let server = FakeApiServer::start(phases());
        write_kubeconfig(&dir, server.port);
        let mut child = spawn_script(&shell, &dir);
        let status = wait_for_exit(&mut child, Duration::from_secs(60))
            .unwrap_or_else(|| panic!("{shell:?}: the script did not exit after kubectl failed"));
        let mut stdout = String::new();
        let mut stderr = String::new();
        child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut stdout)
            .expect("read");
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr)
            .expect("read");
        let ended = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs() as i64;

        assert_eq!(
            status.code(),
            Some(1),
            "{shell:?}: exits when kubectl fails\n{stderr}"
        );
        assert!(
            stderr.contains("watch failed: kubectl exit 1"),
            "{shell:?}: {stderr}"
        );
        let mut lines = Vec::new();
        for line in stdout.lines() {
            let (ts, rest) = line.split_once(' ').expect("timestamp first");
            let t = epoch_seconds(ts)
                .unwrap_or_else(|| panic!("{shell:?}: `{ts}` is not a UTC timestamp"));
            assert!(
                t >= started - 1 && t <= ended + 1,
                "{shell:?}: `{ts}` is UTC now"
            );
            lines.push(rest.to_string());
        }
        assert_eq!(
            lines,
            [
                "event=ADDED pod=kimai-a phase=Running node=node-1 ip=10.0.0.1",
                "event=ADDED pod=kimai-b phase=Pending node=- ip=-",
                "event=MODIFIED pod=kimai-b phase=Running node=node-2 ip=10.0.0.2",
                "event=DELETED pod=kimai-a phase=Running node=node-1 ip=10.0.0.1",
                "event=DELETED pod=kimai-b phase=Succeeded node=node-2 ip=10.0.0.2",
            ],
            "{shell:?}\n{stderr}"
        );
        // Each watch starts from its list's resource version, in the pod's namespace.
        let requests = server.requests.lock().expect("log").clone();
        let pods: Vec<&str> = requests
            .iter()
            .map(String::as_str)
            .filter(|r| r.starts_with("/api/v1/namespaces/"))
            .collect();
        assert_eq!(
            pods.len(),
            5,
            "{shell:?}: list, watch, list, watch, list: {pods:?}"
        );
        assert!(pods[1].contains("watch=true") && pods[1].contains("resourceVersion=100"));
        assert!(pods[3].contains("watch=true") && pods[3].contains("resourceVersion=200"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_script_stops_at_once_on_sigterm() {
    if !kubectl_available() {
        return;
    }
    let dir = temp_dir("sigterm");
    for shell in shells() {
        let server = FakeApiServer::start(vec![Some((
            vec![pod(
                "kimai-a",
                "Running",
                Some("node-1"),
                Some("10.0.0.1"),
                1,
            )],
            vec![(HOLD, serde_json::Value::Null)],
        ))]);
        write_kubeconfig(&dir, server.port);
        let mut child = spawn_script(&shell, &dir);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !server
            .requests
            .lock()
            .expect("log")
            .iter()
            .any(|r| r.contains("watch=true"))
        {
            assert!(std::time::Instant::now() < deadline, "{shell:?}: no watch");
            std::thread::sleep(Duration::from_millis(50));
        }
        // What the kubelet sends first when the pod stops.
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let status = wait_for_exit(&mut child, Duration::from_secs(5));
        // kubectl outlives its shell here; in the container, PID 1's exit ends it.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status();
        assert_eq!(
            status.and_then(|s| s.code()),
            Some(0),
            "{shell:?}: exits 0 within the grace period"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
