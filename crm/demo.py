"""Demo data for `make run`: one user per role. Loading twice changes nothing."""
from dataclasses import dataclass

import sqlalchemy as sa

from crm.auth.models import Role, User
from crm.auth.services import create_user
from crm.extensions import db


@dataclass(frozen=True)
class DemoUser:
    login_id: str
    name: str
    role: Role
    password: str


# Printed by `make run`; for a local demo database only.
DEMO_USERS = (
    DemoUser("admin", "김관리", Role.ADMIN, "demo-admin-2021!"),
    DemoUser("coordinator", "이코디", Role.COORDINATOR, "demo-coordinator-2021!"),
    DemoUser("coach", "박코치", Role.COACH, "demo-coach-2021!"),
)


def load_demo() -> int:
    """Creates whatever demo records are missing; returns how many it created."""
    existing = set(db.session.scalars(sa.select(User.login_id).where(
        User.login_id.in_([demo.login_id for demo in DEMO_USERS]))))
    created = 0
    for demo in DEMO_USERS:
        if demo.login_id not in existing:
            create_user(login_id=demo.login_id, name=demo.name, role=demo.role, password=demo.password)
            created += 1
    return created
