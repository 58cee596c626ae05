"""Command-line tools: `flask users create`, `flask demo load`, `flask demo scale`, `flask imports expire`,
`flask backup`, `flask restore`."""
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from crm.audit.context import acting_as
from crm.auth.models import Role
from crm.core.errors import RuleError
from crm.extensions import db
from crm.scale.options import size_options

users_cli = AppGroup("users", help="사용자 관리")
demo_cli = AppGroup("demo", help="시연용 데이터")
imports_cli = AppGroup("imports", help="가져오기")


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


@demo_cli.command("scale")
@click.option("--seed", type=int, default=1, show_default=True, help="같은 시드는 같은 데이터를 만듭니다.")
@click.option("--factor", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="모든 개수에 곱합니다 (예: 0.01). 개수 옵션이 이 값보다 우선합니다.")
@click.option("--reset", is_flag=True, help="먼저 모든 표를 비웁니다 (사용자와 감사 기록 포함).")
@size_options
def scale_demo_command(seed: int, factor: float, reset: bool, **counts: int | None) -> None:
    """성능 측정용 합성 데이터를 대량으로 만듭니다 (기본: 기업 30,000곳, 감사 기록 1,000,000건).

    기업이 이미 있는 데이터베이스에서는 --reset 없이 실행되지 않습니다."""
    from crm.scale import ScaleRefused, Sizes, generate

    sizes = Sizes.scaled(factor).with_counts(**counts)
    if sizes.problems():
        raise click.UsageError("; ".join(sizes.problems()))
    try:
        result = generate(sizes, seed, reset=reset)
    except ScaleRefused as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    for line in result.summary():
        click.echo(line)


@imports_cli.command("expire")
def expire_imports_command() -> None:
    """24시간이 지난 가져오기 미리보기를 만료하고 그 행을 지웁니다 (cron 등으로 매시간 실행하세요)."""
    from crm.imports.services import expire_stale_batches

    with acting_as(None):
        deleted = expire_stale_batches()
        db.session.commit()
    click.echo(f"24시간이 지난 가져오기의 행 {deleted:,}개를 지웠습니다.")


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path | None) -> None:
    """데이터베이스를 백업합니다 (기본: instance/backups/ 에 시각이 붙은 파일). 앱이 실행 중이어도 됩니다."""
    from crm.core.backup import BackupError, create_backup, default_backup_path

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    try:
        result = create_backup(url, target or default_backup_path(url, Path(current_app.instance_path)))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"백업했습니다: {result.path} ({result.size_bytes:,} bytes, 스키마 {result.revision})")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="확인 없이 바로 복원합니다.")
def restore_command(source: Path, yes: bool) -> None:
    """SOURCE 백업으로 데이터베이스의 내용을 바꿉니다. 파일 검사와 스키마 확인을 먼저 합니다."""
    from crm.core.backup import BackupError, check_backup, restore_backup

    try:
        revision = check_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], source, known_revisions())
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    if not yes:
        click.confirm(f"지금 데이터베이스의 내용이 백업(스키마 {revision})으로 바뀝니다. 계속할까요?", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"복원했습니다: {source} (스키마 {revision}). 최신 스키마가 아니면 `flask db upgrade`를 실행하세요.")


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(imports_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
