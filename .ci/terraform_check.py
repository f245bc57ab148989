"""kimai-deploy's own check of OUT/terraform: HashiCorp's HCL parser and the provider schemas.

Usage: terraform_check.py OUT_DIR...   (or imported by conformance.py: check(out, report))

- every .tf file parses with HashiCorp's HCL parser (npm @cdktf/hcl2json, the Go library as
  WebAssembly), installed once into $KIMAI_CI_TOOLS/node;
- every resource and data block is a type of its provider's schema (aws, kubernetes, helm) in
  ../shared/data/terraform-providers.json.gz (what `terraform providers schema -json` prints), with
  no unknown argument or block, no argument the provider only computes, no deprecated argument,
  every required argument and block present, and no more blocks than the schema allows;
- every `var.`, `local.` and `TYPE.NAME` reference names something declared in the folder;
- variables are typed and described, outputs described; required_providers pins hashicorp/aws ~> 6
  and every other provider a block uses;
- the manifests of the generated Helm chart (charts/*/templates) match the CRD schemas of
  ../shared/data/crd-schemas.json.gz (External Secrets) and name no Helm template.
"""
import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT.parent / "shared" / "data" / "terraform-providers.json.gz"
HCL2JSON = "@cdktf/hcl2json@0.21.0"
META = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}


def tools_dir():
    default = Path(os.environ.get("HOME", "/tmp")) / ".cache" / "kimai-deploy-ci"
    return Path(os.environ.get("KIMAI_CI_TOOLS", default))


def node_dir():
    """A node_modules with @cdktf/hcl2json, installed once per version."""
    d = tools_dir() / "node"
    marker = d / "hcl2json.ok"
    if not marker.exists() or marker.read_text() != HCL2JSON:
        d.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(d), HCL2JSON],
                       check=True, stdout=subprocess.DEVNULL)
        marker.write_text(HCL2JSON)
    return d


PARSE = (
    "const h=require('@cdktf/hcl2json');const fs=require('fs');"
    "(async()=>{const out={};for(const f of process.argv.slice(1)){"
    "try{out[f]={ok:await h.parse(f,fs.readFileSync(f,'utf8'))}}catch(e){out[f]={err:String(e)}}}"
    "process.stdout.write(JSON.stringify(out))})()"
)


def parse(files):
    p = subprocess.run(["node", "-e", PARSE, *map(str, files)], cwd=node_dir(), capture_output=True, text=True,
                       timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"hcl2json failed: {p.stderr[:500]}")
    return json.loads(p.stdout)


def provider_schemas():
    """{provider name: schema} of every provider in the data file (aws, kubernetes, helm, ...)."""
    doc = json.loads(gzip.open(SCHEMAS, "rt").read())
    out = {source.rsplit("/", 1)[-1]: schema for source, schema in doc["provider_schemas"].items()}
    if "aws" not in out:
        raise RuntimeError("no hashicorp/aws schema in " + str(SCHEMAS))
    return out


def provider_of(rtype):
    return rtype.split("_", 1)[0]


def first(v):
    return v[0] if isinstance(v, list) and v else v


def block_problems(body, schema, where):
    """Problems of one block body against its schema block, nested blocks included."""
    out = []
    attrs = schema.get("attributes") or {}
    blocks = schema.get("block_types") or {}
    if not isinstance(body, dict):
        return [f"{where}: not a block"]
    for key, value in body.items():
        if key in META and key not in attrs and key not in blocks:
            continue
        if key == "dynamic":
            out.append(f"{where}: dynamic blocks are not used by kimai-deploy")
        elif key in attrs:
            a = attrs[key]
            if a.get("computed") and not (a.get("optional") or a.get("required")):
                out.append(f"{where}.{key}: computed by the provider, cannot be set")
            if a.get("deprecated"):
                out.append(f"{where}.{key}: deprecated")
        elif key in blocks:
            bt = blocks[key]
            items = value if isinstance(value, list) else [value]
            limit = 1 if bt.get("nesting_mode") == "single" else bt.get("max_items")
            if limit and len(items) > limit:
                out.append(f"{where}.{key}: {len(items)} blocks, at most {limit}")
            for item in items:
                out += block_problems(item, bt.get("block") or {}, f"{where}.{key}")
        else:
            out.append(f"{where}: unknown argument or block `{key}`")
    for name, a in attrs.items():
        if a.get("required") and name not in body:
            out.append(f"{where}: required argument `{name}` missing")
    for name, bt in blocks.items():
        if (bt.get("min_items") or 0) > 0 and name not in body:
            out.append(f"{where}: required block `{name}` missing")
    return out


REF = re.compile(r"(?<![\w.\"/-])(var|local|data\.[a-z0-9_]+|(?:aws|helm|kubernetes)_[a-z0-9_]+)\.([A-Za-z_][\w-]*)")


def references(value):
    if isinstance(value, str):
        for expr in re.findall(r"\$\{(.*?)\}", value):
            yield from REF.findall(re.sub(r'"[^"]*"', '""', expr))
    elif isinstance(value, dict):
        for v in value.values():
            yield from references(v)
    elif isinstance(value, list):
        for v in value:
            yield from references(v)


def check_folder(d):
    """(what, problems) for each check of one terraform folder."""
    files = sorted(d.glob("*.tf"))
    parsed = parse(files)
    errors = [f"{Path(f).name}: {r['err'][:300]}" for f, r in parsed.items() if "err" in r]
    results = [(f"terraform: HCL parser reads all {len(files)} files", errors)]
    if errors:
        return results
    schemas = provider_schemas()
    declared = {"var": set(), "local": set()}
    blocks, problems, everything = [], [], []
    pinned = False
    required = set()
    for f, r in sorted(parsed.items()):
        doc = r["ok"]
        for kind, key in (("resource", "resource_schemas"), ("data", "data_source_schemas")):
            for rtype, byname in (doc.get(kind) or {}).items():
                for name, body in byname.items():
                    prefix = "" if kind == "resource" else "data."
                    declared.setdefault(prefix + rtype, set()).add(name)
                    blocks.append((Path(f).name, kind, key, rtype, name, first(body)))
        for name, body in (doc.get("variable") or {}).items():
            declared["var"].add(name)
            b = first(body)
            if "type" not in b or "description" not in b:
                problems.append(f"variable {name}: needs a type and a description")
            everything.append(b)
        for loc in doc.get("locals") or []:
            declared["local"].update(loc)
            everything.append(loc)
        for name, body in (doc.get("output") or {}).items():
            if "description" not in first(body):
                problems.append(f"output {name}: needs a description")
            everything.append(first(body))
        for t in doc.get("terraform") or []:
            for rp in t.get("required_providers") or []:
                aws = rp.get("aws") or {}
                pinned = pinned or (aws.get("source") == "hashicorp/aws" and aws.get("version", "").startswith("~> 6"))
                required |= {name for name, v in rp.items()
                             if v.get("source") == f"hashicorp/{name}" and v.get("version")}
    schema_errors = []
    for fname, kind, key, rtype, name, body in blocks:
        where = f"{fname}: {'data.' if kind == 'data' else ''}{rtype}.{name}"
        provider = schemas.get(provider_of(rtype)) or {}
        s = (provider.get(key) or {}).get(rtype)
        if s is None:
            schema_errors.append(f"{where}: no such {kind} type in the {provider_of(rtype)} provider")
        else:
            schema_errors += block_problems(body, s["block"], where)
        everything.append(body)
    used = sorted({provider_of(b[3]) for b in blocks})
    results.append((f"terraform: {len(blocks)} resource and data blocks match the provider schemas ({', '.join(used)})",
                    schema_errors))
    results.append(("terraform: required_providers pins every provider the blocks use",
                    [f"provider {p} is used but not pinned" for p in used if p not in required]))
    results.append(chart_check(d))
    dangling = sorted({f"{root}.{name}" for root, name in references(everything)
                       if name not in declared.get(root, set())})
    results.append(("terraform: every var., local. and resource reference is declared", dangling))
    results.append(("terraform: variables typed and described, outputs described", problems))
    results.append(("terraform: required_providers pins hashicorp/aws ~> 6", [] if pinned else ["not pinned"]))
    return results


def chart_check(d):
    """The generated chart's manifests against the CRD schemas they instantiate."""
    import jsonschema
    import yaml

    crds = json.loads(gzip.open(SCHEMAS.parent / "crd-schemas.json.gz", "rt").read())
    problems, count = [], 0
    for p in sorted(d.glob("charts/*/templates/*.yaml")):
        text = p.read_text()
        if "{{" in text:
            problems.append(f"{p.name}: Helm template syntax in a plain manifest")
        for obj in yaml.safe_load_all(text):
            if not obj:
                continue
            count += 1
            key = f"{obj.get('apiVersion')}/{obj.get('kind')}"
            if key not in crds:
                problems.append(f"{p.name}: no CRD schema for {key}")
                continue
            for e in jsonschema.Draft7Validator(crds[key]["schema"]).iter_errors(obj):
                problems.append(f"{p.name}: {e.message} at {list(e.path)}")
    return (f"terraform: {count} objects of the generated charts match their CRD schemas", problems)


def check(out, report):
    """Runs every check of OUT/terraform into conformance.py's report."""
    for what, problems in check_folder(Path(out) / "terraform"):
        report.check(not problems, what, "\n".join(problems[:40]))


def main():
    failed = 0
    for out in sys.argv[1:]:
        for what, problems in check_folder(Path(out) / "terraform"):
            print(("pass  " if not problems else "FAIL  ") + what)
            for p in problems[:40]:
                print("      " + p)
            failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
