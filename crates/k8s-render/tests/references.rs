//! Cross-reference tests over the rendered manifests of every example spec: selectors match
//! pod labels, every referenced Secret/ConfigMap/PVC/ServiceAccount exists or is
//! operator-supplied, Service and Ingress ports reach the container, the HPA targets the
//! Deployment, the kustomization lists every manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kimai_model::{load, Format, Validated};
use serde_yaml::Value;

struct Out {
    model: Validated,
    rendered: kimai_model::Rendered,
    docs: Vec<Value>,
}

fn specs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/specs");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples/specs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    v.sort();
    assert!(v.len() >= 4);
    v
}

fn out(path: &Path) -> Out {
    let bytes = std::fs::read(path).expect("readable");
    let model = load(&bytes, Format::from_file_name(&path.to_string_lossy())).expect("valid");
    let rendered = k8s_render::render(&model, &k8s_render::Options::default()).expect("renders");
    let mut docs = Vec::new();
    for f in &rendered.files {
        if f.path.contains('/') || !f.path.ends_with(".yaml") || f.path == "kustomization.yaml" {
            continue;
        }
        for d in serde_yaml::Deserializer::from_str(&f.contents) {
            docs.push(Value::deserialize(d).expect("yaml parses"));
        }
    }
    Out {
        model,
        rendered,
        docs,
    }
}

use serde::Deserialize as _;

fn kind(d: &Value) -> &str {
    d["kind"].as_str().unwrap_or_default()
}

fn name(d: &Value) -> &str {
    d["metadata"]["name"].as_str().unwrap_or_default()
}

fn names_of<'a>(docs: &'a [Value], k: &str) -> BTreeSet<&'a str> {
    docs.iter().filter(|d| kind(d) == k).map(name).collect()
}

fn labels(v: &Value) -> BTreeMap<String, String> {
    v.as_mapping()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.as_str().unwrap_or_default().to_string(),
                        v.as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn matches(selector: &BTreeMap<String, String>, pod: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| pod.get(k) == Some(v))
}

/// The pod template of a workload.
fn pod_template(d: &Value) -> Option<&Value> {
    match kind(d) {
        "Deployment" | "StatefulSet" => Some(&d["spec"]["template"]),
        "CronJob" => Some(&d["spec"]["jobTemplate"]["spec"]["template"]),
        _ => None,
    }
}

fn pods(docs: &[Value]) -> Vec<(&Value, &Value)> {
    docs.iter()
        .filter_map(|d| pod_template(d).map(|t| (d, t)))
        .collect()
}

fn containers(template: &Value) -> Vec<&Value> {
    let spec = &template["spec"];
    let mut v = Vec::new();
    for key in ["containers", "initContainers"] {
        if let Some(s) = spec[key].as_sequence() {
            v.extend(s.iter());
        }
    }
    v
}

/// Keys of the deployment's Secret mounted as files; any other Secret volume fails.
fn secret_volume_keys<'a>(docs: &'a [Value], secret: &str) -> Vec<&'a str> {
    let mut keys = Vec::new();
    for (_, t) in pods(docs) {
        for v in t["spec"]["volumes"].as_sequence().into_iter().flatten() {
            let s = &v["secret"];
            if s.is_mapping() {
                assert_eq!(s["secretName"].as_str(), Some(secret));
                for item in s["items"].as_sequence().expect("explicit items") {
                    keys.push(item["key"].as_str().unwrap_or_default());
                }
            }
        }
    }
    keys
}

#[test]
fn selectors_match_pod_labels() {
    for path in specs() {
        let o = out(&path);
        let all_pods = pods(&o.docs);
        for (w, t) in &all_pods {
            if kind(w) != "CronJob" {
                let sel = labels(&w["spec"]["selector"]["matchLabels"]);
                assert!(!sel.is_empty());
                assert!(
                    matches(&sel, &labels(&t["metadata"]["labels"])),
                    "{path:?} {}",
                    name(w)
                );
            }
            if let Some(tsc) = t["spec"]["topologySpreadConstraints"].as_sequence() {
                for c in tsc {
                    let sel = labels(&c["labelSelector"]["matchLabels"]);
                    assert!(matches(&sel, &labels(&t["metadata"]["labels"])));
                    // A strict spread must not count nodes the pod cannot run on.
                    if c["whenUnsatisfiable"] == "DoNotSchedule" {
                        assert_eq!(c["nodeTaintsPolicy"], "Honor", "{path:?}");
                    }
                }
            }
        }
        let selects_some_pod = |sel: &BTreeMap<String, String>| {
            all_pods
                .iter()
                .any(|(_, t)| matches(sel, &labels(&t["metadata"]["labels"])))
        };
        for d in &o.docs {
            match kind(d) {
                "Service" => {
                    let sel = labels(&d["spec"]["selector"]);
                    assert!(selects_some_pod(&sel), "{path:?} service {}", name(d));
                }
                "PodDisruptionBudget" => {
                    let sel = labels(&d["spec"]["selector"]["matchLabels"]);
                    assert!(selects_some_pod(&sel), "{path:?} pdb");
                }
                "NetworkPolicy" => {
                    let sel = labels(&d["spec"]["podSelector"]["matchLabels"]);
                    assert!(
                        sel.is_empty() || selects_some_pod(&sel),
                        "{path:?} {}",
                        name(d)
                    );
                    for rule in d["spec"]["ingress"].as_sequence().into_iter().flatten() {
                        for peer in rule["from"].as_sequence().into_iter().flatten() {
                            if peer["podSelector"].is_mapping() {
                                let sel = labels(&peer["podSelector"]["matchLabels"]);
                                assert!(selects_some_pod(&sel), "{path:?} peer of {}", name(d));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[test]
fn referenced_objects_exist_or_are_operator_supplied() {
    for path in specs() {
        let o = out(&path);
        let id = k8s_render::Identity::new(&o.model);
        let keys: BTreeSet<String> = k8s_render::secret_keys(&o.model)
            .into_iter()
            .map(|k| k.key)
            .collect();
        let readme = &o.rendered.file("README.md").expect("note").contents;
        let external = names_of(&o.docs, "ExternalSecret");
        // Operator-supplied: the one Secret, named in the deploy note (or made by ESO).
        let secret = id.secret();
        if external.is_empty() {
            assert!(readme.contains(&format!("`{secret}`")), "{path:?}");
            for k in &keys {
                assert!(
                    readme.contains(&format!("`{k}`")),
                    "{path:?} note lists {k}"
                );
            }
        } else {
            assert!(external.contains(secret.as_str()));
        }
        assert!(
            names_of(&o.docs, "Secret").is_empty(),
            "never a Secret with data"
        );
        let config_maps = names_of(&o.docs, "ConfigMap");
        let claims = names_of(&o.docs, "PersistentVolumeClaim");
        let accounts = names_of(&o.docs, "ServiceAccount");
        for (w, t) in pods(&o.docs) {
            let spec = &t["spec"];
            if let Some(sa) = spec["serviceAccountName"].as_str() {
                assert!(accounts.contains(sa), "{path:?} {} uses {sa}", name(w));
            }
            assert_eq!(spec["automountServiceAccountToken"].as_bool(), Some(false));
            let templates: BTreeSet<&str> = w["spec"]["volumeClaimTemplates"]
                .as_sequence()
                .into_iter()
                .flatten()
                .map(name)
                .collect();
            let mut volumes = BTreeSet::new();
            for v in spec["volumes"].as_sequence().into_iter().flatten() {
                volumes.insert(v["name"].as_str().unwrap_or_default());
                if let Some(c) = v["persistentVolumeClaim"]["claimName"].as_str() {
                    assert!(claims.contains(c), "{path:?} claim {c}");
                }
                if let Some(c) = v["configMap"]["name"].as_str() {
                    assert!(config_maps.contains(c), "{path:?} configmap {c}");
                }
            }
            for c in containers(t) {
                for m in c["volumeMounts"].as_sequence().into_iter().flatten() {
                    let v = m["name"].as_str().unwrap_or_default();
                    assert!(
                        volumes.contains(v) || templates.contains(v),
                        "{path:?} mount {v}"
                    );
                }
                for e in c["env"].as_sequence().into_iter().flatten() {
                    let r = &e["valueFrom"]["secretKeyRef"];
                    if r.is_mapping() {
                        assert_eq!(r["name"].as_str(), Some(secret.as_str()));
                        let key = r["key"].as_str().unwrap_or_default();
                        assert!(keys.contains(key), "{path:?} key {key} is documented");
                    }
                    assert!(e["valueFrom"]["configMapKeyRef"].is_null());
                }
            }
        }
        for k in secret_volume_keys(&o.docs, &secret) {
            assert!(keys.contains(k), "{path:?} mounted key {k} is documented");
        }
        // Every documented key is used: no stale instructions.
        let used: BTreeSet<&str> = pods(&o.docs)
            .into_iter()
            .flat_map(|(_, t)| containers(t))
            .flat_map(|c| c["env"].as_sequence().into_iter().flatten())
            .filter_map(|e| e["valueFrom"]["secretKeyRef"]["key"].as_str())
            .chain(secret_volume_keys(&o.docs, &secret))
            .collect();
        for k in &keys {
            assert!(used.contains(k.as_str()), "{path:?} key {k} is read");
        }
        // A static PV is bound to the claim that exists.
        for pv in o.docs.iter().filter(|d| kind(d) == "PersistentVolume") {
            let c = pv["spec"]["claimRef"]["name"].as_str().unwrap_or_default();
            assert!(claims.contains(c));
        }
    }
}

#[test]
fn ports_reach_the_container() {
    for path in specs() {
        let o = out(&path);
        let services: Vec<&Value> = o.docs.iter().filter(|d| kind(d) == "Service").collect();
        for s in &services {
            let sel = labels(&s["spec"]["selector"]);
            let port_names: BTreeSet<&str> = pods(&o.docs)
                .into_iter()
                .filter(|(_, t)| matches(&sel, &labels(&t["metadata"]["labels"])))
                .flat_map(|(_, t)| containers(t))
                .flat_map(|c| c["ports"].as_sequence().into_iter().flatten())
                .filter_map(|p| p["name"].as_str())
                .collect();
            for p in s["spec"]["ports"].as_sequence().into_iter().flatten() {
                let target = p["targetPort"].as_str().expect("named target port");
                assert!(port_names.contains(target), "{path:?} {}", name(s));
            }
        }
        let deployment = o
            .docs
            .iter()
            .find(|d| kind(d) == "Deployment")
            .expect("deployment");
        let kimai = &deployment["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(kimai["name"].as_str(), Some("kimai"));
        assert_eq!(kimai["ports"][0]["containerPort"].as_u64(), Some(8001));
        for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
            assert_eq!(kimai[probe]["httpGet"]["port"].as_str(), Some("http"));
            assert_eq!(kimai[probe]["httpGet"]["path"].as_str(), Some("/en/login"));
            assert_eq!(
                kimai[probe]["httpGet"]["httpHeaders"][0]["value"].as_str(),
                Some("localhost")
            );
        }
        let startup = &kimai["startupProbe"];
        let budget = startup["periodSeconds"].as_u64().unwrap_or(0)
            * startup["failureThreshold"].as_u64().unwrap_or(0);
        assert!(budget >= u64::from(kimai_model::STARTUP_BUDGET_SECONDS));
        let ingress = o
            .docs
            .iter()
            .find(|d| kind(d) == "Ingress")
            .expect("ingress");
        for rule in ingress["spec"]["rules"].as_sequence().expect("rules") {
            for p in rule["http"]["paths"].as_sequence().expect("paths") {
                let backend = &p["backend"]["service"];
                let svc = services
                    .iter()
                    .find(|s| name(s) == backend["name"].as_str().unwrap_or_default())
                    .expect("backend service exists");
                let port = backend["port"]["name"].as_str().expect("named port");
                assert!(svc["spec"]["ports"]
                    .as_sequence()
                    .expect("ports")
                    .iter()
                    .any(|p| p["name"].as_str() == Some(port)));
            }
        }
        // NetworkPolicy admits Kimai's container port.
        let np = o
            .docs
            .iter()
            .find(|d| kind(d) == "NetworkPolicy" && name(d) == name(deployment))
            .expect("kimai policy");
        assert_eq!(
            np["spec"]["ingress"][0]["ports"][0]["port"].as_u64(),
            Some(8001)
        );
    }
}

#[test]
fn hpa_owns_the_replica_count() {
    for path in specs() {
        let o = out(&path);
        let deployment = o
            .docs
            .iter()
            .find(|d| kind(d) == "Deployment")
            .expect("deployment");
        let hpa = o.docs.iter().find(|d| kind(d) == "HorizontalPodAutoscaler");
        match hpa {
            Some(h) => {
                assert!(o.model.spec().scaling.is_some());
                let t = &h["spec"]["scaleTargetRef"];
                assert_eq!(t["kind"].as_str(), Some("Deployment"));
                assert_eq!(t["apiVersion"].as_str(), Some("apps/v1"));
                assert_eq!(t["name"].as_str(), Some(name(deployment)));
                assert!(deployment["spec"]["replicas"].is_null(), "{path:?}");
            }
            None => {
                assert!(o.model.spec().scaling.is_none());
                assert_eq!(
                    deployment["spec"]["replicas"].as_u64(),
                    Some(u64::from(o.model.max_replicas()))
                );
            }
        }
        let pdb = o.docs.iter().any(|d| kind(d) == "PodDisruptionBudget");
        assert_eq!(pdb, o.model.max_replicas() > 1, "{path:?}");
    }
}

#[test]
fn kustomization_lists_every_manifest_and_nothing_else() {
    for path in specs() {
        let o = out(&path);
        let k: Value = serde_yaml::from_str(
            &o.rendered
                .file("kustomization.yaml")
                .expect("kustomization")
                .contents,
        )
        .expect("parses");
        let listed: BTreeSet<&str> = k["resources"]
            .as_sequence()
            .expect("resources")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let top: BTreeSet<&str> = o
            .rendered
            .files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|p| !p.contains('/') && p.ends_with(".yaml") && *p != "kustomization.yaml")
            .collect();
        assert_eq!(listed, top, "{path:?}");
        let id = k8s_render::Identity::new(&o.model);
        assert_eq!(k["namespace"].as_str(), Some(id.namespace()));
        for d in &o.docs {
            let ns = d["metadata"]["namespace"].as_str();
            match kind(d) {
                "Namespace" | "PersistentVolume" => assert!(ns.is_none()),
                _ => assert_eq!(ns, Some(id.namespace()), "{path:?} {}", name(d)),
            }
        }
    }
}
