#!/usr/bin/env python3
"""The generated Compose proxy config in real NGINX (Debian's package), on loopback.

For each TLS mode the Compose proxy handles differently (acm: behind an AWS load balancer;
files: NGINX terminates TLS; none: NGINX is the plain-HTTP edge) this renders a spec with
`generate --target compose`, rewrites only what running unprivileged on loopback needs (the
upstream address, the listen ports, the certificate directory; `http2 on;`, which Debian's
NGINX 1.22 predates), starts nginx on 127.0.0.1 in front of a stand-in Kimai that echoes the
request headers it received, and asserts what reaches Kimai.

Usage: nginx_check.py [NGINX]   (default: nginx on PATH, else /usr/sbin/nginx)
"""

import http.client
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = "kimai.example.com"
BALANCER = "127.0.0.1"  # the stand-in load balancer's source address
STRANGER = "127.0.0.2"  # any other peer (Linux routes all of 127/8 to loopback)

SPECS = {
    "acm": f"""name: kimai
environment: production
app: {{ trusted_proxies: [{BALANCER}/32] }}
ingress:
  host: {HOST}
  tls: {{ mode: acm, certificate_arn: "arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789" }}
""",
    "files": f"""name: kimai
environment: staging
ingress:
  host: {HOST}
  aliases: [time.example.com]
  tls: {{ mode: files }}
""",
    "none": f"""name: kimai
environment: dev
ingress: {{ host: {HOST} }}
""",
}

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Echo(http.server.BaseHTTPRequestHandler):
    """Stand-in Kimai: answers every request with the headers it received, as JSON."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        # Kimai's own values must not reach the client next to the proxy's.
        self.send_header("X-Frame-Options", "DENY")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def render(mode, work):
    spec = os.path.join(work, f"{mode}.yaml")
    with open(spec, "w") as f:
        f.write(SPECS[mode])
    out = os.path.join(work, f"out-{mode}")
    subprocess.run(
        ["cargo", "run", "--quiet", "--example", "generate", "--",
         "--spec", spec, "--out", out, "--target", "compose"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "compose", "nginx", "kimai.conf")) as f:
        return f.read()


def rewrite(conf, upstream, http_port, https_port, certs):
    """Only what loopback, no root and Debian's NGINX 1.22 need; each must match once."""
    for old, new in [
        ("server kimai:8001;", f"server 127.0.0.1:{upstream};"),
        ("listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;"),
    ]:
        assert conf.count(old) == 1, f"expected one `{old}` in the generated config"
        conf = conf.replace(old, new)
    if "listen 443 ssl" in conf:
        for old, new in [
            ("listen 443 ssl default_server;", f"listen 127.0.0.1:{https_port} ssl default_server;"),
            ("http2 on;", "# http2 on; (NGINX 1.25.1+)"),
        ]:
            assert conf.count(old) == 1, f"expected one `{old}` in the generated config"
            conf = conf.replace(old, new)
        conf = conf.replace("/etc/nginx/certs/", certs + "/")
    return conf


def start_nginx(nginx, conf, work):
    prefix = os.path.join(work, "nginx")
    os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
    with open(os.path.join(prefix, "kimai.conf"), "w") as f:
        f.write(conf)
    main = os.path.join(prefix, "nginx.conf")
    temp = "".join(f"    {t}_temp_path {prefix}/{t};\n" for t in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"])
    with open(main, "w") as f:
        f.write(f"""daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/logs/access.log;
{temp}    include {prefix}/kimai.conf;
}}
""")
    test = subprocess.run([nginx, "-p", prefix, "-c", main, "-e", f"{prefix}/logs/error.log", "-t"],
                          capture_output=True, text=True)
    check(test.returncode == 0, "nginx -t accepts the generated config" + ("" if test.returncode == 0 else ":\n" + test.stderr))
    if test.returncode != 0:
        return None
    proc = subprocess.Popen([nginx, "-p", prefix, "-c", main, "-e", f"{prefix}/logs/error.log"])
    return proc


def wait_port(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def request(port, path, headers, source="127.0.0.1", tls=None):
    """One GET from `source`; returns (status, response headers, body)."""
    if tls is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
    else:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, source_address=(source, 0), context=tls)
    conn.request("GET", path, headers={"Host": HOST, **headers})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def upstream_saw(port, headers, source="127.0.0.1", tls=None):
    status, resp, body = request(port, "/en/login", headers, source, tls)
    assert status == 200, f"expected the upstream's 200, got {status}: {body[:200]!r}"
    return resp, json.loads(body)


def security_headers(resp, where):
    check(resp.get("x-content-type-options") == "nosniff", f"{where}: X-Content-Type-Options nosniff")
    check(resp.get("referrer-policy") == "strict-origin-when-cross-origin", f"{where}: Referrer-Policy")
    check(resp.get("x-frame-options") == "SAMEORIGIN", f"{where}: one X-Frame-Options, SAMEORIGIN (Kimai's DENY hidden)")
    check(resp.get("server") == "nginx", f"{where}: Server header without a version (server_tokens off)")


def run_mode(mode, nginx, upstream, work):
    print(f"--- TLS mode {mode}")
    certs = os.path.join(work, f"certs-{mode}")
    http_port, https_port = free_port(), free_port()
    conf = rewrite(render(mode, work), upstream, http_port, https_port, certs)
    if mode == "files":
        os.makedirs(os.path.join(certs, "webroot", ".well-known", "acme-challenge"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", f"/CN={HOST}", "-keyout", f"{certs}/privkey.pem",
                        "-out", f"{certs}/fullchain.pem"], check=True, capture_output=True)
        with open(os.path.join(certs, "webroot", ".well-known", "acme-challenge", "tok3n"), "w") as f:
            f.write("tok3n.thumbprint")
    proc = start_nginx(nginx, conf, work)
    if proc is None:
        return
    try:
        check(wait_port(http_port), f"nginx listens on 127.0.0.1:{http_port}")
        if mode == "acm":
            resp, saw = upstream_saw(http_port, {
                "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443",
                "X-Forwarded-For": "198.51.100.7, 203.0.113.9"}, source=BALANCER)
            check(saw.get("x-forwarded-proto") == "https", f"from the balancer, X-Forwarded-Proto https reaches Kimai as https (saw {saw.get('x-forwarded-proto')})")
            check(saw.get("x-forwarded-port") == "443", f"from the balancer, X-Forwarded-Port 443 reaches Kimai (saw {saw.get('x-forwarded-port')})")
            check(saw.get("x-forwarded-for") == "203.0.113.9", f"the client address is the balancer's last hop (saw {saw.get('x-forwarded-for')})")
            check(saw.get("host") == HOST and saw.get("x-forwarded-host") == HOST, "Host and X-Forwarded-Host are the public host")
            security_headers(resp, "acm")
            _, saw = upstream_saw(http_port, {"X-Forwarded-Proto": "http"}, source=BALANCER)
            check(saw.get("x-forwarded-proto") == "http", "from the balancer, http stays http")
            _, saw = upstream_saw(http_port, {
                "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443",
                "X-Forwarded-For": "198.51.100.7"}, source=STRANGER)
            check(saw.get("x-forwarded-proto") == "http", f"from another peer, a forged X-Forwarded-Proto is replaced by the connection's (saw {saw.get('x-forwarded-proto')})")
            check(saw.get("x-forwarded-port") == str(http_port), f"from another peer, X-Forwarded-Port is the listener's (saw {saw.get('x-forwarded-port')})")
            check(saw.get("x-forwarded-for") == STRANGER, f"from another peer, a forged X-Forwarded-For is dropped (saw {saw.get('x-forwarded-for')})")
        elif mode == "files":
            status, _, body = request(http_port, "/.well-known/acme-challenge/tok3n", {})
            check(status == 200 and body == b"tok3n.thumbprint", f"port 80 serves the ACME challenge from the webroot (got {status} {body[:40]!r})")
            status, _, _ = request(http_port, "/.well-known/acme-challenge/missing", {})
            check(status == 404, f"a missing challenge is 404, not a redirect (got {status})")
            status, resp, _ = request(http_port, "/en/login?x=1", {})
            check(status == 301 and resp.get("location") == f"https://{HOST}/en/login?x=1", f"everything else on port 80 redirects to https (got {status} {resp.get('location')})")
            status, _, body = request(http_port, "/healthz", {})
            check(status == 200 and body == b"ok\n", "the proxy's own /healthz answers on port 80")
            check(wait_port(https_port), f"nginx listens on 127.0.0.1:{https_port} with TLS")
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            resp, saw = upstream_saw(https_port, {"X-Forwarded-Proto": "http", "X-Forwarded-For": "198.51.100.7"}, tls=ctx)
            check(saw.get("x-forwarded-proto") == "https", f"over TLS Kimai sees https, whatever the client claims (saw {saw.get('x-forwarded-proto')})")
            check(saw.get("x-forwarded-port") == str(https_port), "over TLS X-Forwarded-Port is the TLS listener's")
            check(saw.get("x-forwarded-for") == "127.0.0.1", "a client's X-Forwarded-For is dropped at the edge")
            check(resp.get("strict-transport-security") == "max-age=63072000", "HSTS over TLS")
            security_headers(resp, "files")
            for cipher, ok in [("ECDHE-RSA-AES128-GCM-SHA256", True), ("AES128-SHA", False),
                               ("AES256-GCM-SHA384", False), ("ECDHE-RSA-AES128-SHA", False)]:
                c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                c.check_hostname = False
                c.verify_mode = ssl.CERT_NONE
                c.maximum_version = ssl.TLSVersion.TLSv1_2
                c.set_ciphers(cipher + ":@SECLEVEL=0")
                try:
                    with socket.create_connection(("127.0.0.1", https_port), timeout=5) as s:
                        with c.wrap_socket(s, server_hostname=HOST):
                            accepted = True
                except ssl.SSLError:
                    accepted = False
                check(accepted == ok, f"TLS 1.2 {cipher} is {'accepted' if ok else 'refused'} (was {'accepted' if accepted else 'refused'})")
        else:
            resp, saw = upstream_saw(http_port, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"})
            check(saw.get("x-forwarded-proto") == "http", f"at the plain-HTTP edge a client's X-Forwarded-Proto is replaced by http (saw {saw.get('x-forwarded-proto')})")
            check(saw.get("x-forwarded-for") == "127.0.0.1", "at the edge a client's X-Forwarded-For is dropped")
            security_headers(resp, "none")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    nginx = sys.argv[1] if len(sys.argv) > 1 else (shutil.which("nginx") or "/usr/sbin/nginx")
    print(subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip())
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp(prefix="nginx-check-")
    os.chmod(work, 0o755)  # NGINX's workers (nobody when started as root) read the webroot
    try:
        for mode in ["acm", "files", "none"]:
            run_mode(mode, nginx, upstream.server_address[1], work)
    finally:
        upstream.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} NGINX check(s) failed")
        sys.exit(1)
    print("NGINX checks passed")


if __name__ == "__main__":
    main()
