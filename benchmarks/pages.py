"""`make bench`: the app's pages under load, each measured against a bare baseline page.

1. The database (BENCH_DATABASE_URL): created if missing, migrated, and filled with
   `seed_demo` + `seed_scale` when it holds no scale data yet (`--quick`: 500 patients).
2. `collectstatic`, then benchmarks/page_fixtures.py picks what each page shows and
   counts each page's queries once with Django's test client on the same database.
3. gunicorn with production settings (DEBUG=0, a fresh SECRET_KEY, HTTPS=0 because it
   listens on 127.0.0.1 only, the static manifest) and BENCH_BASELINE=1.
4. A login per role (and a session per patient link), then wrk runs alternately on the
   baseline and on each page: B, P1, B, P2, ..., B. A page's ratio is its p50 divided by
   the mean p50 of the baseline runs just before and after it.
5. A markdown table, printed and written to docs/BENCHMARKS.md, with the workers' memory
   and the load average during the run.

Only 127.0.0.1 is ever contacted; every wrk run is bounded by its duration.
"""

import argparse
import http.client
import json
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinic_bench"
QUICK_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinic_bench_quick"
LOGINS = {  # the demo accounts made by seed_demo
    "frontdesk": ("frontdesk@demo.clinic", "demo-frontdesk-pass"),
    "nurse": ("nurse@demo.clinic", "demo-nurse-pass-1"),
    "provider": ("provider@demo.clinic", "demo-provider-pass"),
    "admin": ("admin@demo.clinic", "demo-admin-pass-1"),
}
WRK = shutil.which("wrk") or "/usr/bin/wrk"
MIN_REQUESTS = 20  # per page in a full run; a slow page's run is lengthened to get them
MAX_SECONDS = 90
DOC = ROOT / "docs" / "BENCHMARKS.md"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, 1 s a page (CI)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--duration", type=float, help="seconds of wrk per run (10; quick 1)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 0)))
    parser.add_argument(
        "--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 0))
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8765)))
    parser.add_argument("--no-doc", action="store_true", help="print only")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="measure only the pages whose name contains NAME (repeatable; implies --no-doc)",
    )
    args = parser.parse_args()
    database_url = args.database_url or (QUICK_DATABASE_URL if args.quick else DEFAULT_DATABASE_URL)
    duration = args.duration or float(os.environ.get("BENCH_DURATION") or (1 if args.quick else 10))
    workers = args.workers or 2 * (os.cpu_count() or 1)
    connections = args.connections or workers
    if not os.path.exists(WRK):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    started = time.monotonic()

    def step(message):
        print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    seeded = prepare_database(database_url, quick=args.quick, step=step)
    env = server_env(database_url)
    step("collectstatic")
    manage(["collectstatic", "--noinput", "-v0"], env)
    step("Choosing pages and counting their queries")
    with tempfile.TemporaryDirectory() as scratch:
        plan_path = Path(scratch) / "pages.json"
        run([sys.executable, "-m", "benchmarks.page_fixtures", str(plan_path)], env)
        plan = json.loads(plan_path.read_text())
        if args.only:
            plan["pages"] = [
                page
                for page in plan["pages"]
                if any(part.lower() in page["name"].lower() for part in args.only)
            ]
        step(f"gunicorn: {workers} sync workers on 127.0.0.1:{args.port}")
        # The app logs a JSON line per request (clinic/logs.py), as in production: written
        # to a file here, not to this terminal.
        server_log = Path(scratch) / "server.log"
        server = start_server(env, args.port, workers, log=server_log)
        try:
            results = measure(
                plan, args.port, server, duration, connections, step, scratch,
                min_requests=0 if args.quick else MIN_REQUESTS,
            )  # fmt: skip
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
    report = render(
        plan, results, quick=args.quick, duration=duration, workers=workers,
        connections=connections, seeded=seeded, database_url=database_url,
    )  # fmt: skip
    print(report)
    if not (args.no_doc or args.only):
        write_doc(report, "quick" if args.quick else "full")
        step(f"Written to {DOC.relative_to(ROOT)}")
    broken = [
        page["name"]
        for page in results["pages"]
        if str(page["first_status"]) != str(page.get("expect_status", 200))
    ]
    if broken:
        # A page that answers wrongly (a server error, a redirect to the login page) is a
        # broken benchmark, whatever its speed.
        raise SystemExit(f"These pages did not answer as expected: {', '.join(broken)}")


# The database ---------------------------------------------------------------------------


def prepare_database(url, *, quick, step):
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = {
        "host": parts.hostname or None,
        "port": parts.port or None,
        "user": parts.username or None,
        "password": parts.password or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            step(f"Creating database {name}")
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    step("migrate")
    manage(["migrate", "--noinput", "-v0"], env)
    with psycopg.connect(dbname=name, **server) as connection:
        count = connection.execute(
            "SELECT count(*) FROM clinic_patient WHERE email LIKE '%%@scale.example'"
        ).fetchone()[0]
    if count:
        step(f"Using the scale data already in {name}")
        return None
    seed = ["seed_scale", *(["--patients", "500"] if quick else [])]
    step(f"seed_scale {' '.join(seed[1:])}".strip())
    began = time.monotonic()
    manage(seed, env)
    return time.monotonic() - began


def manage(arguments, env):
    run([sys.executable, "manage.py", *arguments], env)


def run(command, env):
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def server_env(database_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "0",  # plain HTTP on the loopback interface
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_MANIFEST": "1",
        "BENCH_BASELINE": "1",
    }


# The server -------------------------------------------------------------------------------


def _ensure_free(port):
    """Refuse to measure another program that answers on the port (a dev server, say)."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(
                f"Port {port} is taken by another program; stop it or set BENCH_PORT."
            ) from None


def start_server(env, port, workers, *, log):
    _ensure_free(port)
    command = [
        sys.executable, "-m", "gunicorn", "clinic.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--timeout", "120", "--log-level", "warning",
    ]  # fmt: skip
    with open(log, "ab") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, _ = Session(port).request("GET", "/accounts/login/")
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped while starting:\n{_tail(log)}")
        time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{_tail(log)}")


def _tail(log, lines=20):
    return "\n".join(Path(log).read_text(errors="replace").splitlines()[-lines:])


def worker_pids(master):
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


def cpu_times():
    """The machine's CPU time counters (user nice system idle iowait irq softirq steal)."""
    return [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def rss_mib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Session:
    """A browser's cookies, over plain http.client to 127.0.0.1; redirects are not followed."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    @property
    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method, path, data=None):
        headers = {"Cookie": self.cookie_header} if self.cookies else {}
        body = None
        if data is not None:
            body = data if isinstance(data, str) else urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    for morsel in SimpleCookie(value).values():
                        self.cookies[morsel.key] = morsel.value
            return response.status, content, response
        finally:
            connection.close()

    def login(self, email, password, recovery_code):
        _, page, _ = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _, response = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.decode(), "username": email, "password": password},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Login as {email} failed ({status}); is the demo data loaded?")
        status, _, _ = self.request(
            "POST", "/accounts/two-factor/recovery/", {"code": recovery_code}
        )
        if status != 302:
            raise SystemExit(f"The code step for {email} failed ({status}).")
        return self


def sessions_for(plan, port):
    sessions = {}
    for page in plan["pages"]:
        key = page.get("session") or page["role"] or "anonymous"
        if key in sessions:
            continue
        session = Session(port)
        if page["role"] in LOGINS:
            email, password = LOGINS[page["role"]]
            session.login(email, password, plan["recovery_codes"][email].pop())
        if page.get("start"):
            status, _, response = session.request("GET", page["start"])
            if status != 302:
                raise SystemExit(f"{page['name']}: opening the patient link gave {status}")
            session.request("GET", urlsplit(response.getheader("Location")).path)
            session.request("GET", page["url"])  # the form page sets the CSRF cookie
        if page.get("search"):
            status, _, _ = session.request("POST", page["url"], {"q": page["search"]})
            if status != 302:
                raise SystemExit(f"Search failed ({status})")
        sessions[key] = session
    return sessions


# Measuring --------------------------------------------------------------------------------


def wrk(session, page_url, method, body, port, duration, connections, scratch):
    result = Path(scratch) / "wrk.json"
    env = {
        **os.environ,
        "BENCH_METHOD": method,
        "BENCH_BODY": body or "",
        "BENCH_COOKIE": session.cookie_header,
        "BENCH_CSRF": session.cookies.get("csrftoken", ""),
        "BENCH_RESULT": str(result),
    }
    command = [
        WRK, "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "60s",
        "-s", str(ROOT / "benchmarks" / "wrk.lua"), f"http://127.0.0.1:{port}{page_url}",
    ]  # fmt: skip
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, timeout=duration + 90)  # noqa: S603
    data = json.loads(result.read_text())
    seconds = data["duration_us"] / 1e6
    data["rps"] = data["requests"] / seconds if seconds else 0
    # wrk stops with requests still running in the workers; let them finish, so that the
    # next run does not queue behind them.
    time.sleep(min(30, data["max_us"] / 1e6) + 0.2)
    return data


def measure(plan, port, server, duration, connections, step, scratch, min_requests):
    sessions = sessions_for(plan, port)
    staff = sessions.get("frontdesk") or next(iter(sessions.values()))
    memory = {}
    loads = []

    def sample():
        for pid in worker_pids(server.pid):
            rss = rss_mib(pid)
            if rss:
                memory[pid] = max(memory.get(pid, 0), rss)
        loads.append(os.getloadavg())

    def baseline(session):
        data = wrk(session, plan["baseline"], "GET", None, port, duration, connections, scratch)
        sample()
        return data

    cpu_before = cpu_times()
    # Warm up every worker (imports, template caches) before anything is measured.
    wrk(staff, plan["baseline"], "GET", None, port, min(duration, 2), connections, scratch)
    results = []
    pages = plan["pages"]
    before = baseline(staff)
    baselines = [before]
    for number, page in enumerate(pages, start=1):
        session = sessions[page.get("session") or page["role"] or "anonymous"]
        began = time.monotonic()
        status, content, _ = session.request(page["method"], page["url"], page.get("body"))
        single = time.monotonic() - began
        # A slow page still gets a dozen or so requests in: six times one request, at least.
        seconds = max(duration, math.ceil(6 * single))
        measured = wrk(
            session, page["url"], page["method"], page.get("body"), port, seconds,
            connections, scratch,
        )  # fmt: skip
        if measured["requests"] < min_requests:
            # Too few for percentiles: measure again, long enough for min_requests at this rate.
            seconds = min(MAX_SECONDS, math.ceil(1.2 * min_requests / max(measured["rps"], 0.1)))
            measured = wrk(
                session, page["url"], page["method"], page.get("body"), port, seconds,
                connections, scratch,
            )  # fmt: skip
        sample()
        after = baseline(session if page["role"] in LOGINS else staff)
        baselines.append(after)
        base_p50 = (before["p50_us"] + after["p50_us"]) / 2
        expected = str(page.get("expect_status", 200))
        unexpected = sum(n for code, n in measured["statuses"].items() if code != expected)
        results.append(
            {
                **page,
                "first_status": status,
                "bytes": len(content),
                "wrk": measured,
                "ratio": measured["p50_us"] / base_p50 if base_p50 else 0,
                "seconds": seconds,
                "unexpected": unexpected + sum(measured["errors"].values()),
            }
        )
        step(
            f"{number}/{len(pages)} {page['name']}: {measured['rps']:.1f} req/s, "
            f"p50 {measured['p50_us'] / 1000:.1f} ms, ×{results[-1]['ratio']:.1f}"
        )
        before = after
    cpu_after = cpu_times()
    spent = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
    return {
        "pages": results,
        "steal": spent[7] / sum(spent) if sum(spent) else 0,
        "idle": (spent[3] + spent[4]) / sum(spent) if sum(spent) else 0,
        "baselines": baselines,
        "memory": memory,
        "loads": loads,
        "final_rss": {pid: rss_mib(pid) for pid in worker_pids(server.pid)},
    }


# The report -------------------------------------------------------------------------------


def render(plan, results, *, quick, duration, workers, connections, seeded, database_url):
    facts = plan["facts"]
    baselines = results["baselines"]
    base_rps = sum(b["rps"] for b in baselines) / len(baselines)
    base_p50 = sum(b["p50_us"] for b in baselines) / len(baselines) / 1000
    base_p95 = sum(b["p95_us"] for b in baselines) / len(baselines) / 1000
    lines = [
        f"Run of {time.strftime('%Y-%m-%d %H:%M %Z')}, {'quick' if quick else 'full'}: "
        f"{facts['patients']:,} patients, {facts['appointments']:,} appointments "
        f"(database `{urlsplit(database_url).path.lstrip('/')}`"
        + (f", seeded in {seeded:.0f} s this run" if seeded else "")
        + f"). gunicorn {workers} sync workers, wrk 1 thread × {connections} connections, "
        f"{duration:g} s per run, on {os.cpu_count()} cores shared by server, database and wrk.",
        "",
        "| page | role | requests/s | p50 ms | p95 ms | × baseline p50 | bytes | queries | n |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| Baseline: bare page, one primary-key query (mean of {len(baselines)} runs) | "
        f"staff | {base_rps:.0f} | {base_p50:.1f} | {base_p95:.1f} | 1.0 | | 1 + middleware | "
        f"{sum(b['requests'] for b in baselines):,} |",
    ]
    for page in results["pages"]:
        w = page["wrk"]
        flag = f" ⚠ {page['unexpected']} unexpected responses" if page["unexpected"] else ""
        status = "" if page["first_status"] == 200 else f" ({page['first_status']})"
        lines.append(
            f"| {page['name']}{status}{flag} | {page['role'] or 'link'} | {w['rps']:.1f} | "
            f"{w['p50_us'] / 1000:.1f} | {w['p95_us'] / 1000:.1f} | {page['ratio']:.1f} | "
            f"{page['bytes']:,} | {page['queries']} | {w['requests']:,} |"
        )
    peak = results["memory"]
    final = [rss for rss in results["final_rss"].values() if rss]
    loads = results["loads"]
    lines += [
        "",
        "n: requests measured (a run lasts at least six times one request of the page, and "
        f"in a full run long enough for {MIN_REQUESTS} requests, {MAX_SECONDS} s at most). "
        "queries: counted once per page with Django's test client on the same database, "
        "including the session, user and clinic queries every page makes.",
        f"Workers' memory (RSS): peak {', '.join(f'{m:.0f}' for m in sorted(peak.values()))} MiB; "
        f"at the end {', '.join(f'{m:.0f}' for m in sorted(final))} MiB.",
        f"Baseline p50 over its runs: {min(b['p50_us'] for b in baselines) / 1000:.1f} to "
        f"{max(b['p50_us'] for b in baselines) / 1000:.1f} ms. CPU during the run: "
        f"{results['idle']:.0%} idle, {results['steal']:.0%} stolen by the host "
        "(a virtual machine's cores are shared: compare ratios, not milliseconds, "
        "between runs).",
        f"Load average during the run: highest 1-minute {max(load[0] for load in loads):.2f}; "
        f"at the end {loads[-1][0]:.2f} / {loads[-1][1]:.2f} / {loads[-1][2]:.2f} (1/5/15 min).",
        f"Patient with the longest history: {facts['longest_history_appointments']} "
        f"appointments; busiest day {facts['busiest_day']}: "
        f"{facts['busiest_day_appointments']} appointments.",
    ]
    return "\n".join(lines)


def write_doc(report, mode):
    start, end = f"<!-- bench:{mode}:start -->", f"<!-- bench:{mode}:end -->"
    text = DOC.read_text() if DOC.exists() else ""
    block = f"{start}\n{report}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        title = "Latest full run" if mode == "full" else "Latest quick run (BENCH_QUICK=1)"
        text = text.rstrip() + f"\n\n## {title}\n\n{block}\n"
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)


if __name__ == "__main__":
    main()
