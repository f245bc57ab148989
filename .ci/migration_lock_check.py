#!/usr/bin/env python3
"""The migration step's lock against a real MariaDB (Debian's mariadb-server), run by Debian's
php-cli with pdo_mysql, as the Kimai image would run it.

Renders examples/specs/production.yaml for ECS and takes the `migrate` container's command
(the same command every target runs; tests/migrations.rs keeps them equal). Only the console
path changes: a stand-in for `bin/console kimai:install -n` records when it starts and ends.
A MariaDB server is started on 127.0.0.1 with a throw-away data directory and stopped by PID.

Asserts: two concurrent steps both succeed and their installs never overlap (and the same two
stand-ins without the lock do overlap, so the check can see an overlap); the command's exit
status comes back and the lock is released after a failure; bad credentials fail at once;
a step waits for a database that is not up yet.

Usage: migration_lock_check.py
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Every character that breaks a URL or a shell, as in the referee's vault.
PASSWORD = "p@ss/w:rd?#&%+ $'\"!x"
INSTALL_SECONDS = 2.0

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find(*names):
    for n in names:
        p = shutil.which(n) or (f"/usr/sbin/{n}" if os.path.exists(f"/usr/sbin/{n}") else None)
        if p:
            return p
    sys.exit(f"none of {names} found")


def migrate_command(work):
    out = os.path.join(work, "out")
    subprocess.run(
        ["cargo", "run", "--quiet", "--example", "generate", "--",
         "--spec", "examples/specs/production.yaml", "--out", out, "--target", "ecs"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "ecs", "task-definition.json")) as f:
        task = json.load(f)
    (migrate,) = [c for c in task["containerDefinitions"] if c["name"] == "migrate"]
    (kimai,) = [c for c in task["containerDefinitions"] if c["name"] == "kimai"]
    check({"containerName": "migrate", "condition": "SUCCESS"} in kimai.get("dependsOn", []),
          "Kimai's container starts only after the migrate step succeeded")
    return migrate["command"]


def sql(sock, statement):
    subprocess.run([find("mariadb", "mysql"), "--no-defaults", f"--socket={sock}", "-uroot", "-e", statement],
                   check=True)


def wait_for(sock, proc):
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit("mariadbd exited during start")
        if subprocess.run([find("mariadb-admin", "mysqladmin"), "--no-defaults", f"--socket={sock}",
                           "-uroot", "ping"], capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    sys.exit("mariadbd did not start")


def stand_in(work, name, status=0):
    """A stand-in console that logs `start|end NAME TIME` and exits with `status`."""
    path = os.path.join(work, name)
    log = os.path.join(work, "installs.log")
    with open(path, "w") as f:
        f.write(f"""#!/bin/sh
echo "start $MIGRATE_RUN $(date +%s.%N)" >> {log}
sleep {INSTALL_SECONDS}
echo "end $MIGRATE_RUN $(date +%s.%N) $*" >> {log}
exit {status}
""")
    os.chmod(path, 0o755)
    return path, log


def step(command, console, url, run, **kw):
    """One migrate step as the container would run it, with `console` for bin/console."""
    cmd = [console if a == "/opt/kimai/bin/console" else a for a in command]
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": url, "MIGRATE_RUN": run}
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def intervals(log):
    runs = {}
    with open(log) as f:
        for line in f:
            kind, run, t = line.split()[:3]
            runs.setdefault(run, {})[kind] = float(t)
    os.remove(log)
    return runs


def overlap(runs):
    spans = sorted((r["start"], r["end"]) for r in runs.values())
    return any(b[0] < a[1] for a, b in zip(spans, spans[1:]))


def main():
    work = tempfile.mkdtemp(prefix="migration-lock-")
    proc = None
    try:
        command = migrate_command(work)
        check(command[:2] == ["php", "-r"] and "/opt/kimai/bin/console" in command
              and command[-2:] == ["kimai:install", "-n"], "the step runs php -r SCRIPT ... bin/console kimai:install -n")
        console, log = stand_in(work, "console")
        failing, _ = stand_in(work, "console-fails", status=3)
        port = free_port()
        url = (f"mysql://kimai:{urllib.parse.quote(PASSWORD, safe='')}@127.0.0.1:{{port}}/kimai"
               "?charset=utf8mb4&serverVersion=10.11.0-MariaDB")

        # A step started before the database waits for it.
        early = step(command, console, url.format(port=port), "early")
        time.sleep(4)
        check(early.poll() is None, "a step waits while the database is not up")
        proc, sock = start_mariadb(work, port)
        wait_for(sock, proc)
        esc = PASSWORD.replace("\\", "\\\\").replace("'", "\\'")
        sql(sock, f"CREATE USER 'kimai'@'127.0.0.1' IDENTIFIED BY '{esc}'; "
                  "GRANT ALL ON kimai.* TO 'kimai'@'127.0.0.1';")
        out, _ = early.communicate(timeout=60)
        check(early.returncode == 0, f"the waiting step ran once the database was up (exit {early.returncode})")
        check("waiting for the database" in out and PASSWORD not in out
              and urllib.parse.quote(PASSWORD, safe='') not in out, "it said it waited, and never printed the password")
        intervals(log)

        good = url.format(port=port)
        a, b = step(command, console, good, "a"), step(command, console, good, "b")
        outs = [p.communicate(timeout=120)[0] for p in (a, b)]
        check(a.returncode == 0 and b.returncode == 0, f"two concurrent steps both succeed (exit {a.returncode}, {b.returncode})")
        runs = intervals(log)
        check(set(runs) == {"a", "b"} and all("end" in r for r in runs.values()), f"each ran the install once ({runs})")
        check(not overlap(runs), f"their installs never overlap: {sorted((r['start'], r['end']) for r in runs.values())}")
        check(any("waiting for lock kimai-migrate:kimai" in o for o in outs), "the steps hold the named lock kimai-migrate:kimai")

        # The same two installs without the lock do overlap: the check above can fail.
        pa = subprocess.Popen([console], env={**os.environ, "MIGRATE_RUN": "x"})
        pb = subprocess.Popen([console], env={**os.environ, "MIGRATE_RUN": "y"})
        pa.wait(), pb.wait()
        check(overlap(intervals(log)), "control: two installs without the lock overlap")

        f = step(command, failing, good, "f")
        f.communicate(timeout=60)
        check(f.returncode == 3, f"the install's exit status comes back (exit {f.returncode})")
        start = time.time()
        g = step(command, console, good, "g")
        g.communicate(timeout=60)
        check(g.returncode == 0 and time.time() - start < INSTALL_SECONDS + 5, "the lock was released after the failure")
        intervals(log)

        bad = f"mysql://kimai:wrong@127.0.0.1:{port}/kimai?charset=utf8mb4&serverVersion=10.11.0-MariaDB"
        start = time.time()
        h = step(command, console, bad, "h")
        out, _ = h.communicate(timeout=60)
        check(h.returncode == 1 and time.time() - start < 10 and not os.path.exists(log),
              f"bad credentials fail at once without running the install (exit {h.returncode})")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} migration lock check(s) failed")
        sys.exit(1)
    print("migration lock checks passed")


def start_mariadb(work, port):
    """mariadbd on 127.0.0.1:`port` with a fresh data directory; root by socket, no password."""
    datadir, sock = os.path.join(work, "data"), os.path.join(work, "mysqld.sock")
    user = ["--user=root"] if os.getuid() == 0 else []
    subprocess.run([find("mariadb-install-db", "mysql_install_db"), "--no-defaults", f"--datadir={datadir}",
                    "--auth-root-authentication-method=normal", "--skip-test-db", *user],
                   check=True, capture_output=True)
    log = open(os.path.join(work, "mariadb.log"), "w")
    proc = subprocess.Popen([find("mariadbd", "mysqld"), "--no-defaults", f"--datadir={datadir}",
                             f"--socket={sock}", f"--port={port}", "--bind-address=127.0.0.1",
                             "--skip-name-resolve", f"--pid-file={work}/mariadb.pid", *user],
                            stdout=log, stderr=subprocess.STDOUT)
    return proc, sock


if __name__ == "__main__":
    main()
