"""Benchmark: page latency, throughput, server CPU and memory under gunicorn, against a reference page (issue 10).

    .venv/bin/python bench/pages.py                                    # /tmp/scale.db, every page and export
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/crm_scale .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --quick --pages companies,company   # development: 20 requests, 2 s
    .venv/bin/python bench/pages.py --pages companies --compare-with sqlite:////tmp/scale-small.db

Starts gunicorn (2 sync workers, the `loopback` profile: production settings over plain HTTP) on 127.0.0.1 with the
same code as the multi-worker tests, signs in once per role, then for each page: warm-up, 200 sequential requests
(p50, p95), 10 s at concurrency 8 (requests/s, p50, p95, p99), the workers' CPU time per request (from
/proc/<pid>/stat), and finally the company exports (time, streamed or not, worker memory growth) and the workers'
resident memory. The reference page (/admin/bench/reference) is measured again just before each page, and the
page's ratios are to that measurement: the machine's speed drifts within a run. Prints a table with the reference's
median figures and each page's ratios and the targets it misses, and writes
bench/results/pages-<database>-<date>.json. Not a test: see bench/README.md.
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from crm.auth.models import Role  # noqa: E402
from crm.config import Config  # noqa: E402
from crm.demo import DEMO_USERS  # noqa: E402
from crm.scale.generate import ADMIN_LOGIN, PASSWORD  # noqa: E402
from crm.scale.names import WORDS as SEARCH_WORDS  # noqa: E402
from tests.conftest import csrf_token_from  # noqa: E402
from tests.slow.conftest import running_server  # noqa: E402

DEFAULT_DATABASE_URL = "sqlite:////tmp/scale.db"
RESULTS = ROOT / "bench" / "results"
WORKERS = 2
CONCURRENCY = 8
REQUESTS, SECONDS = 200, 10.0
QUICK_REQUESTS, QUICK_SECONDS = 20, 2.0
# A page that takes seconds would hold the sequential phase for many minutes: it stops here, with its count.
ALONE_MAX_SECONDS = 60.0
WARM_UP = 5
SESSION_COOKIE = "session"  # LoopbackConfig.SESSION_COOKIE_NAME
# Flask-Login's session protection ties a session to the browser's User-Agent: one for the login and the pages.
USER_AGENT = "crm-bench/1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

REFERENCE, LIST, HEAVY = "reference", "list", "heavy"
# kind -> (ratio to the reference that p95 and CPU may reach, share of its throughput required,
#          absolute p95 ceiling alone in ms, absolute p95 ceiling at concurrency 8 in ms or None)
TARGETS = {LIST: (2, 1 / 2, 100, 200), HEAVY: (3, 1 / 3, 300, None)}
EXPORT_LIMITS_S = {"export-csv": 5.0, "export-xlsx": 20.0}
EXPORT_MEMORY_LIMIT_MB = 200
WORKER_RSS_LIMIT_MB = 200


@dataclass
class Page:
    key: str
    label: str
    path: str
    role: Role
    kind: str


@dataclass
class Result:
    page: Page
    status: int
    alone: dict = field(default_factory=dict)
    loaded: dict = field(default_factory=dict)
    cpu_ms: float | None = None
    ratios: dict = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    # The reference page as measured just before this page: the ratios are to it.
    reference: "Result | None" = None

    def figures(self) -> dict:
        return {"alone": self.alone, "concurrent": self.loaded, "cpu_ms_per_request": self.cpu_ms}


def _scalar(connection, sql: str, **params):
    return connection.execute(sa.text(sql), params).scalar()


def discover_pages(database_url: str) -> list[Page]:
    """The pages to measure, with the ids of the records that make them heavy (the longest history, the largest
    cohort, …) looked up in the database."""
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        companies = _scalar(db, "SELECT count(*) FROM companies WHERE deleted_at IS NULL")
        last_page = max(1, -(-companies // Config.PAGE_SIZE))
        list_page = min(300, last_page)
        company_id = _scalar(db, """
            SELECT c.id FROM companies c
            LEFT JOIN (SELECT company_id, count(*) AS n FROM stage_changes GROUP BY company_id) s
                   ON s.company_id = c.id
            LEFT JOIN (SELECT record_id, count(*) AS n FROM audit_logs WHERE record_type = 'Company'
                       GROUP BY record_id) a ON a.record_id = CAST(c.id AS VARCHAR(40))
            WHERE c.deleted_at IS NULL
            ORDER BY coalesce(s.n, 0) + coalesce(a.n, 0) DESC, c.id LIMIT 1""")
        region = _scalar(db, """SELECT region_code FROM companies WHERE deleted_at IS NULL AND region_code IS NOT NULL
                                GROUP BY region_code ORDER BY count(*) DESC, region_code LIMIT 1""")
        cohort_id = _scalar(db, """
            SELECT e.cohort_id FROM enrollments e JOIN cohorts c ON c.id = e.cohort_id
            WHERE e.deleted_at IS NULL AND c.deleted_at IS NULL
            GROUP BY e.cohort_id ORDER BY count(*) DESC, max(c.weeks) DESC, e.cohort_id LIMIT 1""")
        enrollment_id = _scalar(db, """
            SELECT e.id FROM enrollments e LEFT JOIN weekly_reports r ON r.enrollment_id = e.id
            WHERE e.cohort_id = :cohort AND e.deleted_at IS NULL
            GROUP BY e.id ORDER BY count(r.id) DESC, e.id LIMIT 1""", cohort=cohort_id)
        campaign_id = _scalar(db, """
            SELECT p.campaign_id FROM participations p JOIN campaigns c ON c.id = p.campaign_id
            WHERE c.deleted_at IS NULL
            GROUP BY p.campaign_id ORDER BY abs(count(*) - 100), p.campaign_id LIMIT 1""")
    engine.dispose()
    # A word of a name, as people type it: one of the words of the synthetic names ("합성기업 01234 햇살바다"), in
    # about one company in eight.
    word = SEARCH_WORDS[0]
    pages = [
        Page("reference", "reference page", "/admin/bench/reference", Role.ADMIN, REFERENCE),
        Page("companies", "company list, page 1", "/companies/", Role.ADMIN, LIST),
        Page("companies-p300", f"company list, page {list_page}", f"/companies/?page={list_page}", Role.ADMIN, LIST),
        Page("companies-filter", "company list, stage + region", f"/companies/?stage=listed&region={region}",
             Role.ADMIN, LIST),
        Page("companies-search", f"company list, search '{word}'", f"/companies/?q={requests.utils.quote(word)}",
             Role.ADMIN, LIST),
        Page("company", "company with the longest history", f"/companies/{company_id}", Role.ADMIN, LIST),
        Page("pipeline", "pipeline board", "/pipeline/", Role.ADMIN, LIST),
        Page("cohort", "cohort grid (largest cohort)", f"/cohorts/{cohort_id}", Role.ADMIN, HEAVY),
        Page("enrollment", "enrollment (most reports)", f"/enrollments/{enrollment_id}", Role.ADMIN, LIST),
        Page("coaching", "coaching list", "/coaching/", Role.ADMIN, LIST),
        Page("campaign", "campaign (~100 participants)", f"/campaigns/{campaign_id}", Role.ADMIN, LIST),
        Page("audit", "audit log, page 1", "/admin/audit/", Role.ADMIN, LIST),
        Page("audit-filter", "audit log, company updates", "/admin/audit/?record_type=Company&action=update",
             Role.ADMIN, LIST),
        Page("dashboard-admin", "dashboard, admin", "/", Role.ADMIN, HEAVY),
        Page("dashboard-coordinator", "dashboard, coordinator", "/", Role.COORDINATOR, HEAVY),
        Page("dashboard-coach", "dashboard, coach", "/", Role.COACH, HEAVY),
        Page("result-report", "result report", "/reports/", Role.ADMIN, HEAVY),
    ]
    return [page for page in pages if "None" not in page.path]


EXPORTS = {"export-csv": "/companies/export.csv", "export-xlsx": "/companies/export.xlsx"}


class Client:
    """One signed-in browser: a cookie and a fresh connection per request (gunicorn's sync workers close every
    connection). http.client rather than requests: the client shares the machine's two cores with the server."""

    def __init__(self, port: int, cookie: str):
        self.port = port
        self.cookie = cookie

    def get(self, path: str) -> tuple[int, float, http.client.HTTPResponse, int]:
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            connection.request("GET", path, headers={"Cookie": f"{SESSION_COOKIE}={self.cookie}",
                                                        "User-Agent": USER_AGENT})
            response = connection.getresponse()
            size = len(response.read())
        finally:
            connection.close()
        self._keep_cookie(response)
        return response.status, time.perf_counter() - start, response, size

    def _keep_cookie(self, response) -> None:
        # The session cookie carries the idle timeout's last-seen time: follow it as a browser would.
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            if SESSION_COOKIE in cookie:
                self.cookie = cookie[SESSION_COOKIE].value


class BenchError(Exception):
    pass


def sign_in(base_url: str, login_id: str, password: str) -> str:
    browser = requests.Session()
    browser.headers["User-Agent"] = USER_AGENT
    token = csrf_token_from(browser.get(f"{base_url}/login", timeout=60).text)
    response = browser.post(f"{base_url}/login", data={"login_id": login_id, "password": password,
                                                       "csrf_token": token}, allow_redirects=False, timeout=60)
    if response.status_code != 302:
        raise BenchError(f"signing in as {login_id} failed: HTTP {response.status_code}")
    return browser.cookies[SESSION_COOKIE]


def worker_pids(master_pid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master_pid:
                pids.append(int(entry.name))
    return sorted(pids)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def memory_mb(pid: int, key: str) -> float:
    """VmRSS (resident now) or VmHWM (resident at its peak) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(key)


def percentiles(seconds: list[float]) -> dict:
    cuts = statistics.quantiles(seconds, n=100, method="inclusive") if len(seconds) > 1 else seconds * 99
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def measure_alone(client: Client, path: str, requests_count: int) -> dict:
    latencies, errors = [], 0
    stop = time.perf_counter() + ALONE_MAX_SECONDS
    while len(latencies) < requests_count and (time.perf_counter() < stop or len(latencies) < QUICK_REQUESTS):
        status, elapsed, _response, _size = client.get(path)
        latencies.append(elapsed)
        errors += status != 200
    return {"requests": len(latencies), "errors": errors, **percentiles(latencies)}


def measure_loaded(clients: list[Client], path: str, seconds: float) -> dict:
    latencies, errors = [], []
    start_line = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def run(client: Client) -> None:
        mine, failed = [], 0
        start_line.wait()
        while time.perf_counter() < deadline[0]:
            status, elapsed, _response, _size = client.get(path)
            mine.append(elapsed)
            failed += status != 200
        latencies.extend(mine)
        errors.append(failed)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "errors": sum(errors), "rps": len(latencies) / elapsed,
            **percentiles(latencies)}


def measure_page(page: Page, clients: dict[Role, list[Client]], pids: list[int], requests_count: int,
                 seconds: float) -> Result:
    first = clients[page.role][0]
    statuses = {first.get(page.path)[0] for _ in range(WARM_UP)}
    if statuses != {200}:
        return Result(page, status=max(statuses))
    cpu_before, client_before = cpu_seconds(pids), time.process_time()
    alone = measure_alone(first, page.path, requests_count)
    loaded = measure_loaded(clients[page.role], page.path, seconds)
    server_cpu, client_cpu = cpu_seconds(pids) - cpu_before, time.process_time() - client_before
    count = alone["requests"] + loaded["requests"]
    loaded["client_cpu_ms"] = client_cpu * 1000 / count
    return Result(page, 200, alone, loaded, cpu_ms=server_cpu * 1000 / count)


def judge(result: Result) -> None:
    """Ratios to the reference measured just before the page, and the targets of issue 10 that the page misses."""
    reference = result.reference
    if not result.alone:
        return
    ratio, throughput_share, ceiling_alone, ceiling_loaded = TARGETS[result.page.kind]
    result.ratios = {
        "p95": result.alone["p95"] / reference.alone["p95"],
        "p95_c8": result.loaded["p95"] / reference.loaded["p95"],
        "cpu": result.cpu_ms / reference.cpu_ms if reference.cpu_ms else None,
        "rps": result.loaded["rps"] / reference.loaded["rps"],
    }
    checks = [
        (result.ratios["p95"] > ratio, f"p95 >{ratio}x ref"),
        (result.ratios["p95_c8"] > ratio, f"p95@8 >{ratio}x ref"),
        (result.ratios["cpu"] is not None and result.ratios["cpu"] > ratio, f"CPU >{ratio}x ref"),
        (result.ratios["rps"] < throughput_share, f"req/s <{throughput_share:.2g} ref"),
        (result.alone["p95"] > ceiling_alone, f"p95 >{ceiling_alone} ms"),
        (ceiling_loaded is not None and result.loaded["p95"] > ceiling_loaded, f"p95@8 >{ceiling_loaded} ms"),
        (result.alone["errors"] + result.loaded["errors"] > 0, "errors"),
    ]
    result.misses = [label for missed, label in checks if missed]


def measure_export(key: str, client: Client, pids: list[int]) -> dict:
    resting = {pid: memory_mb(pid, "VmRSS") for pid in pids}
    try:
        status, elapsed, response, size = client.get(EXPORTS[key])
    except (http.client.HTTPException, OSError) as error:  # gunicorn killed the worker at its timeout
        return {"path": EXPORTS[key], "status": None, "error": repr(error), "misses": ["failed"]}
    growth = max(memory_mb(pid, "VmHWM") - resting[pid] for pid in pids)
    streamed = response.getheader("Content-Length") is None
    misses = [label for missed, label in [
        (status != 200, f"HTTP {status}"),
        (elapsed > EXPORT_LIMITS_S[key], f"> {EXPORT_LIMITS_S[key]:g} s"),
        (growth >= EXPORT_MEMORY_LIMIT_MB, f"memory +{EXPORT_MEMORY_LIMIT_MB} MB"),
        (key == "export-csv" and not streamed, "not streamed"),
    ] if missed]
    return {"path": EXPORTS[key], "status": status, "seconds": elapsed, "bytes": size, "streamed": streamed,
            "worker_peak_growth_mb": growth, "misses": misses}


def database_name(database_url: str) -> str:
    url = sa.make_url(database_url)
    return Path(url.database).stem if url.get_backend_name() == "sqlite" else url.database


def commit() -> str:
    described = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return described.stdout.strip() or "unknown"


def drain(stream, tail: deque) -> None:
    """Read gunicorn's log as it comes, so that a full pipe never blocks a worker; keep the end for errors."""
    for line in stream:
        tail.append(line.decode(errors="replace"))


@dataclass
class Run:
    database_url: str
    port: int
    logins: dict[Role, tuple[str, str]]

    def __enter__(self):
        self._server = running_server(self.database_url, "memory://", workers=WORKERS, port=self.port)
        self.server = self._server.__enter__()
        self.log_tail = deque(maxlen=40)
        threading.Thread(target=drain, args=(self.server.process.stderr, self.log_tail), daemon=True).start()
        try:
            self.pids = self._all_workers()
            self.cookies = {role: sign_in(self.server.url, *login) for role, login in self.logins.items()}
        except BenchError as error:
            self._server.__exit__(None, None, None)
            raise BenchError(f"{error}\n{''.join(self.log_tail)}") from error
        return self

    def _all_workers(self) -> list[int]:
        # /healthz answers as soon as one worker is up; the CPU counts need them all.
        deadline = time.monotonic() + 30
        while len(pids := worker_pids(self.server.process.pid)) < WORKERS:
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn started {len(pids)} of {WORKERS} workers")
            time.sleep(0.1)
        return pids

    def __exit__(self, *exc):
        return self._server.__exit__(*exc)

    def clients(self, role: Role, count: int) -> list[Client]:
        port = int(self.server.url.rsplit(":", 1)[1])
        return [Client(port, self.cookies[role]) for _ in range(count)]

    def rss_mb(self) -> dict[int, float]:
        return {pid: memory_mb(pid, "VmRSS") for pid in worker_pids(self.server.process.pid)}


def fmt(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(results: list[Result]) -> None:
    header = (f"{'page':<38} {'p50':>6} {'p95':>6} {'req/s':>6} {'p50@8':>6} {'p95@8':>6} {'p99@8':>6} "
              f"{'CPU ms':>6} {'×p95':>5} {'×p95@8':>6} {'×CPU':>5} {'×req/s':>6}  misses")
    print(header)
    print("-" * len(header))
    for result in results:
        if not result.alone:
            print(f"{result.page.label[:38]:<38} HTTP {result.status}: not measured")
            continue
        ratios = result.ratios
        print(f"{result.page.label[:38]:<38} {fmt(result.alone['p50']):>6} {fmt(result.alone['p95']):>6} "
              f"{fmt(result.loaded['rps'], 0):>6} {fmt(result.loaded['p50']):>6} {fmt(result.loaded['p95']):>6} "
              f"{fmt(result.loaded['p99']):>6} {fmt(result.cpu_ms):>6} {fmt(ratios.get('p95'), 2):>5} "
              f"{fmt(ratios.get('p95_c8'), 2):>6} {fmt(ratios.get('cpu'), 2):>5} {fmt(ratios.get('rps'), 2):>6}  "
              f"{', '.join(result.misses)}")


def compare_first_pages(here: Client, other_url: str, args) -> dict:
    """Page 1 of the company list here and on a small database (`flask demo scale --factor 0.01`), the two
    servers' requests interleaved so that the machine's other load falls on both alike."""
    path = "/companies/"
    other_logins = parse_logins(args.login, other_url)
    with Run(other_url, args.port + 1 if args.port else 0, {Role.ADMIN: other_logins[Role.ADMIN]}) as other:
        there = other.clients(Role.ADMIN, 1)[0]
        for _ in range(WARM_UP):
            here.get(path)
            there.get(path)
        latencies = {"here": [], "there": []}
        for _ in range(args.requests):
            latencies["here"].append(here.get(path)[1])
            latencies["there"].append(there.get(path)[1])
    here_ms, there_ms = percentiles(latencies["here"]), percentiles(latencies["there"])
    comparison = {"database": database_name(other_url), "here": here_ms, "there": there_ms,
                  "ratio_p50": here_ms["p50"] / there_ms["p50"], "ratio_p95": here_ms["p95"] / there_ms["p95"]}
    return comparison


def median_reference(references: list[Result]) -> Result:
    """The reference's figures over the run, each the median of its measurements (one before each page)."""
    def median_of(part: str) -> dict:
        keys = getattr(references[0], part).keys()
        return {key: statistics.median(getattr(reference, part)[key] for reference in references) for key in keys}

    page = references[0].page
    label = f"{page.label} (median of {len(references)})"
    return Result(Page(page.key, label, page.path, page.role, page.kind), 200, median_of("alone"),
                  median_of("loaded"), statistics.median(reference.cpu_ms for reference in references))


def print_reference_spread(references: list[Result]) -> None:
    def spread(values) -> str:
        values = list(values)
        return f"{min(values):.1f}–{max(values):.1f}"

    print(f"the reference before each page: p50 {spread(r.alone['p50'] for r in references)} ms, p95 "
          f"{spread(r.alone['p95'] for r in references)} ms, req/s {spread(r.loaded['rps'] for r in references)}, "
          f"CPU {spread(r.cpu_ms for r in references)} ms per request")


def print_exports(exports: dict) -> None:
    for key, export in exports.items():
        if export["status"] is None:
            print(f"{key}: failed, {export['error']}")
            continue
        print(f"{key}: HTTP {export['status']}, {export['seconds']:.1f} s, {export['bytes'] / 1e6:.1f} MB, "
              f"{'streamed' if export['streamed'] else 'not streamed'}, worker peak "
              f"+{export['worker_peak_growth_mb']:.0f} MB  {', '.join(export['misses'])}")


def print_comparison(comparison: dict) -> None:
    if "error" in comparison:
        print(f"\ncompany list page 1 on {comparison['database']}: not measured, {comparison['error']}")
        return
    here, there = comparison["here"], comparison["there"]
    print(f"\ncompany list page 1, p50 / p95: {fmt(here['p50'])} / {fmt(here['p95'])} ms here, "
          f"{fmt(there['p50'])} / {fmt(there['p95'])} ms on {comparison['database']}: ratio "
          f"{comparison['ratio_p50']:.2f} / {comparison['ratio_p95']:.2f} (target ≤ 1.3)")


def default_logins(database_url: str) -> dict[Role, tuple[str, str]]:
    """The first users of `flask demo scale` when the database has them, else those of `flask demo load`."""
    engine = sa.create_engine(database_url)
    with engine.connect() as db:
        scale = _scalar(db, "SELECT count(*) FROM users WHERE login_id = :login", login=ADMIN_LOGIN)
    engine.dispose()
    if scale:
        return {Role.ADMIN: (ADMIN_LOGIN, PASSWORD), Role.COORDINATOR: ("scale-coordinator-01", PASSWORD),
                Role.COACH: ("scale-coach-01", PASSWORD)}
    return {demo.role: (demo.login_id, demo.password) for demo in DEMO_USERS}


def parse_logins(values: list[str], database_url: str) -> dict[Role, tuple[str, str]]:
    logins = default_logins(database_url)
    for value in values:
        role, _, credentials = value.partition("=")
        login_id, _, password = credentials.partition(":")
        logins[Role(role)] = (login_id, password)
    return logins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", help="comma-separated keys to measure (the reference is always measured): "
                                        "page keys as printed by --list, export-csv, export-xlsx")
    parser.add_argument("--list", action="store_true", help="print the page keys and paths, and stop")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_REQUESTS} requests and {QUICK_SECONDS:g} s per page, for development")
    parser.add_argument("--login", action="append", default=[], metavar="ROLE=LOGIN_ID:PASSWORD",
                        help="sign in as this user for a role (default: the first users of `flask demo scale`, "
                             "else those of `flask demo load`)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--compare-with", metavar="DATABASE_URL",
                        help="also measure company list page 1 on this (small) database and print the ratio")
    parser.add_argument("--output", type=Path, help="JSON file (default: bench/results/pages-<db>-<date>.json)")
    args = parser.parse_args()
    args.requests, args.seconds = (QUICK_REQUESTS, QUICK_SECONDS) if args.quick else (REQUESTS, SECONDS)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    logins = parse_logins(args.login, database_url)

    pages = discover_pages(database_url)
    if args.list:
        for page in pages:
            print(f"{page.key:<22} {page.role.value:<12} {page.path}")
        print("\n".join(EXPORTS))
        return
    chosen = set(args.pages.split(",")) if args.pages else {page.key for page in pages} | set(EXPORTS)
    unknown = chosen - {page.key for page in pages} - set(EXPORTS)
    if unknown:
        raise SystemExit(f"unknown page keys: {', '.join(sorted(unknown))} (see --list)")
    pages = [page for page in pages if page.kind == REFERENCE or page.key in chosen]

    load_before = os.getloadavg()
    with Run(database_url, args.port, logins) as run:
        clients = {role: run.clients(role, CONCURRENCY) for role in logins}
        reference_page, *measured = pages
        results = []
        for page in measured:
            # The reference again before every page: on a shared machine its speed drifts within a run, and a page
            # is compared with the machine as it was when the page was measured.
            print(f"  {reference_page.label}, then {page.label} {page.path} …", file=sys.stderr, flush=True)
            reference = measure_page(reference_page, clients, run.pids, args.requests, args.seconds)
            if not reference.alone:
                raise SystemExit(f"the reference page answered HTTP {reference.status}:\n{''.join(run.log_tail)}")
            results.append(measure_page(page, clients, run.pids, args.requests, args.seconds))
            results[-1].reference = reference
        rss_after_pages = run.rss_mb()
        try:
            comparison = (compare_first_pages(clients[Role.ADMIN][0], args.compare_with, args)
                          if args.compare_with else None)
        except BenchError as error:  # the pages' figures are kept
            comparison = {"database": database_name(args.compare_with), "error": str(error)}
        exports = {}
        for key in EXPORTS:
            if key in chosen:
                print(f"  {key} …", file=sys.stderr, flush=True)
                exports[key] = measure_export(key, clients[Role.ADMIN][0], run.pids)
        rss_at_end = run.rss_mb()

    for result in results:
        judge(result)
    references = [result.reference for result in results]
    report = {
        "date": date.today().isoformat(), "commit": commit(),
        "database": sa.make_url(database_url).render_as_string(hide_password=True),
        "gunicorn": f"-w {WORKERS} -k sync", "requests": args.requests, "seconds": args.seconds,
        "concurrency": CONCURRENCY, "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "reference_median": median_reference(references).figures() if references else None,
        "pages": [{**asdict(result.page), "role": result.page.role.value,
                   "status": result.status, **result.figures(), "reference_before": result.reference.figures(),
                   "ratios_to_reference": result.ratios, "misses": result.misses} for result in results],
        "exports": exports, "worker_rss_mb_after_pages": list(rss_after_pages.values()),
        "worker_rss_mb_at_end": list(rss_at_end.values()), "page1_comparison": comparison,
    }
    output = args.output or RESULTS / f"pages-{database_name(database_url)}-{report['date']}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=1))

    print(f"\n{database_name(database_url)} ({report['commit']}): {args.requests} sequential requests "
          f"(at most {ALONE_MAX_SECONDS:g} s) and {args.seconds:g} s at concurrency {CONCURRENCY} per page, "
          f"gunicorn -w {WORKERS} -k sync; times in ms\n")
    if references:
        print_table([median_reference(references), *results])
        print_reference_spread(references)
    print_exports(exports)
    worst_rss = max(rss_at_end.values())
    print(f"worker RSS: {', '.join(f'{mb:.0f}' for mb in rss_after_pages.values())} MB after the pages, "
          f"{', '.join(f'{mb:.0f}' for mb in rss_at_end.values())} MB at the end"
          f"{'  over ' + str(WORKER_RSS_LIMIT_MB) + ' MB' if worst_rss >= WORKER_RSS_LIMIT_MB else ''}")
    if comparison:
        print_comparison(comparison)
    print(f"load average {load_before[0]:.1f} before, {report['load_average_after'][0]:.1f} after; written: "
          f"{output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        raise SystemExit(str(error)) from error
