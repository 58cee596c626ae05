"""Reference data kept as rows, not code: regions (시·도) and the stores a product can be listed on.

The migration that creates the tables inserts the same rows; `seed_reference_data` fills a database made
with create_all (tests) and adds what a newer list has (idempotent).
"""
import sqlalchemy as sa

from crm.extensions import db

# (code, name, former names accepted on input) — 행정표준 시·도 codes.
REGIONS = (
    ("11", "서울특별시", ""), ("26", "부산광역시", ""), ("27", "대구광역시", ""), ("28", "인천광역시", ""),
    ("29", "광주광역시", ""), ("30", "대전광역시", ""), ("31", "울산광역시", ""), ("36", "세종특별자치시", ""),
    ("41", "경기도", ""), ("51", "강원특별자치도", "강원도"), ("43", "충청북도", ""), ("44", "충청남도", ""),
    ("52", "전북특별자치도", "전라북도"), ("46", "전라남도", ""), ("47", "경상북도", ""), ("48", "경상남도", ""),
    ("50", "제주특별자치도", ""),
)

# (code, name, is_default): e-store36.5 until 2025-09-08, then 가치장터 (public buyers) and STORE 36.5 (consumers).
STORES = (
    ("estore365", "e-store36.5", True),
    ("gachi", "가치장터", False),
    ("store365", "STORE 36.5", False),
)


def seed_reference_data() -> None:
    from crm.companies.models import Region, Store

    known_regions = set(db.session.scalars(sa.select(Region.code)))
    for order, (code, name, former) in enumerate(REGIONS):
        if code not in known_regions:
            db.session.add(Region(code=code, name=name, former_names=former, sort_order=order))
    known_stores = set(db.session.scalars(sa.select(Store.code)))
    for order, (code, name, is_default) in enumerate(STORES):
        if code not in known_stores:
            db.session.add(Store(code=code, name=name, is_default=is_default, sort_order=order))
    db.session.flush()
