"""Every page a user can reach by following links from the dashboard, on the demo data, answers without a server
error — for each role. A smoke test over the pages the feature tests build one by one."""
import re
from urllib.parse import urljoin, urlsplit

import pytest

from crm.audit.context import acting_as
from crm.auth.models import User
from crm.demo import DEMO_USERS, load_demo

LINK = re.compile(r'href="([^"#]+)"')
# Links that end the session or download files; the crawl stays on HTML pages.
SKIPPED = re.compile(r"^/(logout|static/|bootstrap/)|/export\.|\.(csv|xlsx)$")
MAX_PAGES = 2000


def _crawl(client) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        for href in LINK.findall(response.get_data(as_text=True)):
            target = urlsplit(urljoin("http://localhost" + path, href.replace("&amp;", "&")))
            if target.netloc not in ("", "localhost"):
                continue
            # Paths only: filtered and paged variants of a list are many and show the same templates.
            if not SKIPPED.search(target.path) and target.path not in seen:
                queue.append(target.path)
    return seen


@pytest.mark.parametrize("demo", DEMO_USERS, ids=[demo.login_id for demo in DEMO_USERS])
def test_every_linked_page_of_the_demo_answers_without_a_server_error(db, client_as, demo):
    with acting_as(None):
        load_demo()
    db.session.commit()
    user = db.session.scalar(db.select(User).where(User.login_id == demo.login_id))

    seen = _crawl(client_as(user, demo.password))

    errors = {path: status for path, status in seen.items() if status >= 500}
    assert errors == {}
    assert len(seen) > 10
    assert set(seen.values()) <= {200, 302, 403, 404}, {p: s for p, s in seen.items() if s not in (200, 302)}
