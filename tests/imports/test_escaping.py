"""T18 for imports: whatever a file holds — its name, headers, cells — the pages show it escaped."""
import sqlalchemy as sa

from crm.imports.models import ImportBatch
from tests.imports.conftest import csv_bytes

PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)")
UNESCAPED = ("<script>alert(1)", "<img src=x onerror", " onmouseover='alert")


def test_an_uploaded_payload_is_shown_escaped_on_the_preview_and_the_list(upload, client_as, coordinator, db):
    headers = ("기업명", "기업유형", *PAYLOADS)
    rows = [[payload, payload, *PAYLOADS] for payload in PAYLOADS]
    upload(csv_bytes(headers, rows), f"{PAYLOADS[2]}.csv")
    batch = db.session.scalar(sa.select(ImportBatch))
    client = client_as(coordinator)

    pages = [client.get(f"/imports/{batch.id}"), client.get("/imports/")]

    for page in pages:
        assert page.status_code == 200
        assert not [marker for marker in UNESCAPED if marker in page.text]
    preview = pages[0].text
    assert "&lt;script&gt;alert(1)" in preview  # a cell, a header and a problem's column were shown
    assert "알 수 없는 기업 유형입니다." in preview
