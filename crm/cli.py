"""Command-line tools: `flask users create`, `flask demo load`."""
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from crm.audit.context import acting_as
from crm.auth.models import Role
from crm.core.errors import RuleError
from crm.extensions import db

users_cli = AppGroup("users", help="사용자 관리")
demo_cli = AppGroup("demo", help="시연용 데이터")


def _read_password() -> str:
    """Twice on a terminal; from standard input otherwise (one line, or two identical lines)."""
    if sys.stdin.isatty():
        return click.prompt("비밀번호", hide_input=True, confirmation_prompt="비밀번호 확인")
    lines = [line.rstrip("\r\n") for line in sys.stdin.read().splitlines()]
    lines = [line for line in lines if line] or [""]
    if len(lines) > 2 or (len(lines) == 2 and lines[0] != lines[1]):
        raise click.UsageError("표준 입력에는 비밀번호 한 줄, 또는 같은 비밀번호 두 줄을 넣으세요.")
    return lines[0]


@users_cli.command("create")
@click.argument("login_id")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", required=True)
@click.option("--email", default=None)
def create_user_command(login_id: str, role: str, name: str, email: str | None) -> None:
    """사용자를 만듭니다 (처음 관리자를 만들 때 씁니다)."""
    from crm.auth.services import create_user

    password = _read_password()
    with acting_as(None):
        try:
            user = create_user(login_id=login_id, name=name, role=Role(role), password=password, email=email)
        except RuleError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
    click.echo(f"사용자 {user.login_id} ({Role(role).value})을(를) 만들었습니다.")


@demo_cli.command("load")
def load_demo_command() -> None:
    """시연용 데이터를 넣습니다. 두 번 실행해도 달라지지 않습니다."""
    from crm.demo import DEMO_USERS, load_demo

    with acting_as(None):
        created = load_demo()
        db.session.commit()
    click.echo(f"시연용 데이터: 새로 만든 기록 {created}건")
    click.echo("시연용 로그인 (아이디 / 비밀번호 / 역할):")
    for demo in DEMO_USERS:
        click.echo(f"  {demo.login_id:<12} {demo.password:<22} {demo.role.label}")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
