"""Plays AWS for ecs/README.md: runs every command the note tells the operator to run, in order,
against a local AWS API (moto's server on 127.0.0.1), typing a hostile secret value at each
prompt, then checks what the platform holds: the secrets with their exact values (DATABASE_URL
with the password URL-encoded), the log group and its retention, the cluster, the service on
its task definition, the scaling target and policies — and that `service-update.json` updates it.

Usage: ecs_note_check.py OUT/ecs BIN_DIR   (BIN_DIR has `aws` and `moto_server`)

Skipped, with the reason printed: mounting EFS from a host (`sudo mount`), the WAF association
(needs a real load balancer), ECS Exec (needs a running task).
"""
import json
import os
import shutil
import tempfile
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HOSTILE = "p@ss/w:rd?#&%+ $'\"!  "  # trailing spaces too: `IFS= read -rs` must keep them
SKIP = [("sudo ", "mounting EFS needs a host in the VPC"), ("wafv2", "needs a real load balancer"),
        ("execute-command", "needs a running task"), ("describe-load-balancers", "needs a real load balancer"),
        ("ecs wait services-stable", "the local API starts no tasks, so a service never becomes stable"),
        ("put-data-protection-policy", "the local API does not implement CloudWatch Logs data protection; "
         "conformance.py checks the input against botocore's PutDataProtectionPolicy")]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def blocks(note):
    """The ```sh blocks of the note, in order, as lists of lines (heredocs kept whole)."""
    return [b.strip("\n").splitlines() for b in re.findall(r"```sh\n(.*?)```", note, re.S)]


def supply_network(ecs, aws_json, region):
    """The operator's part: the VPC, subnets and security groups the spec names exist. The local
    API picks its own ids, so the copies of service*.json get those in place of the spec's."""
    vpc = aws_json("ec2", "create-vpc", "--region", region, "--cidr-block", "10.0.0.0/16")["Vpc"]["VpcId"]
    for path in sorted(ecs.glob("service*.json")):
        doc = json.loads(path.read_text())
        net = doc["networkConfiguration"]["awsvpcConfiguration"]
        net["subnets"] = [aws_json("ec2", "create-subnet", "--region", region, "--vpc-id", vpc,
                                   "--cidr-block", f"10.0.{i + 10 * path.name.count('-')}.0/24")["Subnet"]["SubnetId"]
                          for i, _ in enumerate(net["subnets"])]
        net["securityGroups"] = [aws_json("ec2", "create-security-group", "--region", region, "--vpc-id", vpc,
                                          "--group-name", f"g{i}-{path.stem}", "--description", "test")["GroupId"]
                                 for i, _ in enumerate(net["securityGroups"])]
        path.write_text(json.dumps(doc, indent=2) + "\n")


def main():
    src, bindir = Path(sys.argv[1]), Path(sys.argv[2])
    ecs = Path(tempfile.mkdtemp()) / "ecs"
    shutil.copytree(src, ecs)
    note = (ecs / "README.md").read_text()
    port = free_port()
    server = subprocess.Popen([str(bindir / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_PAGER="",
                   PATH=f"{bindir}:{os.environ['PATH']}")
        def aws(*args):
            r = subprocess.run(["aws", *args, "--output", "json"], env=env, capture_output=True, text=True)
            if r.returncode != 0:
                failures.append(f"aws {' '.join(args)}: {r.stderr.strip()[:500]}")
                return {}
            return json.loads(r.stdout or "{}")

        td0 = json.loads((ecs / "task-definition.json").read_text())
        region0 = td0["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-region"]
        supply_network(ecs, aws, region0)
        script, reads = ["set -euo pipefail"], 0
        for block in blocks(note):
            for line in block:
                reason = next((r for s, r in SKIP if s in line), None)
                if reason:
                    print(f"skip  {line.strip()[:90]} ({reason})")
                    continue
                reads += line.count("read -rs")
                script.append(line)
        stdin = "".join(HOSTILE + "\n" for _ in range(reads))
        run = subprocess.run(["bash", "-c", "\n".join(script)], cwd=ecs, env=env, input=stdin,
                             capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            failures.append(f"the note's commands failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
        else:
            print(f"pass  every command of ecs/README.md ran against the local AWS API ({reads} values typed)")

        td = json.loads((ecs / "task-definition.json").read_text())
        svc = json.loads((ecs / "service.json").read_text())
        region = next(o["options"]["awslogs-region"] for o in
                      (c["logConfiguration"] for c in td["containerDefinitions"]))
        for c in td["containerDefinitions"]:
            for s in c.get("secrets", []):
                arn = s["valueFrom"]
                if f"exists: {arn}" in note:
                    print(f"skip  {arn}: pinned in targets.ecs.secret_arns, the operator's own secret")
                    continue
                if ":secretsmanager:" in arn:
                    name = arn.split(":secret:")[1]
                    got = aws("secretsmanager", "get-secret-value", "--region", region, "--secret-id", name)
                    value = got.get("SecretString")
                elif ":ssm:" in arn:
                    name = "/" + arn.split(":parameter/")[1]
                    got = aws("ssm", "get-parameter", "--region", region, "--name", name, "--with-decryption")
                    value = (got.get("Parameter") or {}).get("Value")
                else:
                    continue
                if value is None:
                    continue
                if s["name"] == "DATABASE_URL":
                    ok = f":{urllib.parse.quote(HOSTILE, safe='')}@" in value and value.startswith("mysql://")
                else:
                    ok = value == HOSTILE
                (print if ok else failures.append)(
                    f"{'pass  ' if ok else ''}secret {name} for {s['name']} holds the typed value"
                    + ("" if ok else f", got {value!r}"))
        group = td["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-group"]
        groups = aws("logs", "describe-log-groups", "--region", region, "--log-group-name-prefix", group)
        g = [x for x in groups.get("logGroups", []) if x["logGroupName"] == group]
        if g and g[0].get("retentionInDays"):
            print(f"pass  log group {group} exists with {g[0]['retentionInDays']} days retention")
        else:
            failures.append(f"log group {group} missing or without retention: {groups}")
        got = aws("ecs", "describe-services", "--region", region, "--cluster", svc["cluster"],
                  "--services", svc["serviceName"])
        services = got.get("services", [])
        if services and services[0].get("status") == "ACTIVE" and td["family"] in services[0].get("taskDefinition", ""):
            print(f"pass  service {svc['serviceName']} runs in cluster {svc['cluster']} on family {td['family']}")
        else:
            failures.append(f"service {svc['serviceName']} not active on {td['family']}: {got}")
        if (ecs / "scalable-target.json").exists():
            st = json.loads((ecs / "scalable-target.json").read_text())
            got = aws("application-autoscaling", "describe-scaling-policies", "--region", region,
                      "--service-namespace", "ecs", "--resource-id", st["ResourceId"])
            want = len(list(ecs.glob("scaling-policy-*.json")))
            have = len(got.get("ScalingPolicies", []))
            (print if have == want else failures.append)(
                f"{'pass  ' if have == want else ''}{have} of {want} scaling policies registered on {st['ResourceId']}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    for f in failures:
        print(f"FAIL  {f}")
    print(f"ecs note: {'ok' if not failures else 'FAILED'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
