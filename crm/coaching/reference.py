"""The managed list of specialties (coach pool and needs assessments share it); an admin may add more."""
import sqlalchemy as sa

from crm.extensions import db

SPECIALTIES = ("온라인 마케팅", "SNS 홍보", "유통 입점", "크라우드펀딩", "오프라인 홍보", "상품 기획")


def seed_specialties() -> None:
    from crm.coaching.models import Specialty

    known = set(db.session.scalars(sa.select(Specialty.name)))
    for order, name in enumerate(SPECIALTIES):
        if name not in known:
            db.session.add(Specialty(name=name, sort_order=order))
    db.session.flush()
