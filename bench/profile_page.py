"""Where a page's time goes, in-process: CPU per request of pages and of the reference page through Flask's test
client (no gunicorn, no network), their ratio, and optionally a cProfile of each page. For development between
runs of bench/pages.py, whose figures are the ones that count.

    .venv/bin/python bench/profile_page.py /companies/ /pipeline/               # admin, 100 requests each
    .venv/bin/python bench/profile_page.py --role coach --requests 50 /
    .venv/bin/python bench/profile_page.py --profile --sort tottime /companies/  # cProfile, top 40 lines
    .venv/bin/python bench/profile_page.py --after-a-write /pipeline/          # nothing kept: the first view

DATABASE_URL names the database (default sqlite:////tmp/scale.db, made by `flask demo scale`); the script signs
in as its first user of the role (`--login ID:PASSWORD` for another). CPU is this process's time
(`time.process_time`): it moves less than wall time with whatever else runs on the machine, but compare pages
with the reference of the same run only.
"""
import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/scale.db")
os.environ.setdefault("SECRET_KEY", "profile-page-" + "x" * 32)

import sqlalchemy as sa  # noqa: E402

from crm import create_app  # noqa: E402
from crm.core.cache import DOMAIN  # noqa: E402
from crm.core.models import DataVersion  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.scale.generate import ADMIN_LOGIN, PASSWORD  # noqa: E402
from tests.conftest import csrf_token_from  # noqa: E402

REFERENCE = "/admin/bench/reference"
FIRST_LOGINS = {"admin": ADMIN_LOGIN, "coordinator": "scale-coordinator-01", "coach": "scale-coach-01"}
WARM_UP = 5


def signed_in_client(app, login_id: str, password: str):
    client = app.test_client()
    # Flask-Login's session protection ties the session to the User-Agent.
    client.environ_base["HTTP_USER_AGENT"] = "profile-page/1"
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login_id": login_id, "password": password, "csrf_token": token})
    if response.status_code != 302:
        sys.exit(f"signing in as {login_id} failed: HTTP {response.status_code}")
    return client


def raise_data_version(app) -> None:
    """What any change to audited data does first: every page kept through crm.core.cache is rebuilt."""
    with app.app_context():
        db.session.execute(sa.update(DataVersion).where(DataVersion.name == DOMAIN)
                           .values(version=DataVersion.version + 1))
        db.session.commit()


def cpu_ms_per_request(client, path: str, count: int, *, after_a_write: bool = False) -> float:
    for _ in range(WARM_UP):
        status = client.get(path).status_code
        if status != 200:
            sys.exit(f"{path}: HTTP {status}")
    spent = 0.0
    for _ in range(count):
        if after_a_write:
            raise_data_version(client.application)
        started = time.process_time()
        client.get(path)
        spent += time.process_time() - started
    return spent / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--role", choices=sorted(FIRST_LOGINS), default="admin")
    parser.add_argument("--login", help="LOGIN_ID:PASSWORD instead of the role's first synthetic user")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--after-a-write", action="store_true",
                        help="raise the data version before each request of the pages (not the reference): the cost "
                             "of the first view after a change, with nothing kept")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each page")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime, …)")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    app = create_app("loopback")
    login_id, password = args.login.split(":", 1) if args.login else (FIRST_LOGINS[args.role], PASSWORD)
    client = signed_in_client(app, login_id, password)
    admin = client if args.role == "admin" and not args.login else signed_in_client(app, ADMIN_LOGIN, PASSWORD)
    reference = cpu_ms_per_request(admin, REFERENCE, args.requests)
    print(f"{'reference page':40} {reference:7.2f} ms CPU/request")
    for path in args.paths:
        cost = cpu_ms_per_request(client, path, args.requests, after_a_write=args.after_a_write)
        print(f"{path:40} {cost:7.2f} ms CPU/request  {cost / reference:5.2f}x the reference")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                client.get(path)
            profile.disable()
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
