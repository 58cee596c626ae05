"""Benchmark: preview and apply 20,000 company rows from an XLSX file, as a worker would.

    .venv/bin/python bench/import_companies.py [rows] [database URL]

Builds a fresh database (SQLite in a temporary file unless a URL is given; a PostgreSQL URL must point at an
empty scratch database), writes the workbook, then times the two requests' work — reading and checking the
upload into an import batch, and applying it — each followed by its commit, as the views do — in wall-clock time
and in the process's CPU time (which other work on a shared machine disturbs less; the database server's time is
not in it). Memory is the process's peak resident size (ru_maxrss) before and after. Not a test: the figures go
in bench/README.md.
"""
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402

from crm import create_app  # noqa: E402
from crm.auth import services as auth_services  # noqa: E402
from crm.auth.models import Role  # noqa: E402
from crm.companies.reference import seed_reference_data  # noqa: E402
from crm.companies.rules import BUSINESS_NUMBER_WEIGHTS  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.imports import services  # noqa: E402

REGIONS = ("서울특별시", "강원도", "경상남도", "전라북도", "부산광역시")
TYPES = ("사회적기업", "예비사회적기업", "협동조합", "사회적협동조합", "마을기업")


def business_number(serial: int) -> str:
    digits = [int(d) for d in f"{200000000 + serial:09d}"]
    total = sum(d * w for d, w in zip(digits, BUSINESS_NUMBER_WEIGHTS, strict=False)) + digits[8] * 5 // 10
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def workbook_bytes(rows: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("기업")
    sheet.append(["기업명", "브랜드명(별칭)", "기업유형", "사업자등록번호", "지역", "업종", "담당자", "연락처",
                  "이메일", "홈페이지", "발굴일"])
    for n in range(rows):
        sheet.append([f"벤치기업{n}", f"벤치브랜드{n}", TYPES[n % len(TYPES)], business_number(n),
                      REGIONS[n % len(REGIONS)], "식품", f"담당{n}", "02-123-4567", f"c{n}@example.kr",
                      f"https://example.kr/{n}", "2021. 11. 25."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    scratch = tempfile.TemporaryDirectory()
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{scratch.name}/bench.sqlite3"
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url,
                     SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_reference_data()
        user = auth_services.create_user(login_id="bench", name="벤치", role=Role.COORDINATOR,
                                         password="bench password 1")
        db.session.commit()
        data = workbook_bytes(rows)
        print(f"rows {rows:,}, file {len(data) / 1024 / 1024:.1f} MB, database {url.split(':')[0]}")
        baseline = peak_mb()

        started, cpu_started = time.perf_counter(), time.process_time()
        batch = services.create_batch(data, "bench.xlsx", "companies", actor=user)
        db.session.commit()
        preview_seconds, preview_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert batch.problem_row_count == 0, batch.problem_row_count
        batch_id = batch.id
        db.session.remove()  # the apply is another request, perhaps on another worker

        started, cpu_started = time.perf_counter(), time.process_time()
        batch = db.session.get(type(batch), batch_id)
        services.apply_batch(batch, actor=db.session.merge(user))
        db.session.commit()
        apply_seconds, apply_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert batch.created_count == rows

        print(f"preview {preview_seconds:.1f} s, apply {apply_seconds:.1f} s, "
              f"total {preview_seconds + apply_seconds:.1f} s")
        print(f"CPU time of this process: preview {preview_cpu:.1f} s, apply {apply_cpu:.1f} s, "
              f"total {preview_cpu + apply_cpu:.1f} s")
        print(f"peak resident memory {baseline:.0f} MB before, {peak_mb():.0f} MB after "
              f"(growth {peak_mb() - baseline:.0f} MB)")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
