"""What every template may use: the navigation for the user's role and the language switch."""
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: frozenset[str] | None = None  # None: every signed-in user


NAVIGATION = (
    NavItem("reports.dashboard", _l("대시보드")),
    NavItem("companies.index", _l("기업")),
    NavItem("pipeline.index", _l("파이프라인")),
    NavItem("coaching.index", _l("코칭")),
    NavItem("coaches.index", _l("전문가")),
    NavItem("actions.index", _l("실행과제")),
    NavItem("programs.index", _l("사업"), frozenset({"admin", "coordinator"})),
    NavItem("programs.cohorts", _l("26주 과정"), frozenset({"admin", "coordinator"})),
    NavItem("campaigns.index", _l("기획전·캠페인"), frozenset({"admin", "coordinator"})),
    NavItem("channels.index", _l("유통채널"), frozenset({"admin", "coordinator"})),
    NavItem("reports_result.index", _l("결과 보고"), frozenset({"admin", "coordinator"})),
    NavItem("imports.index", _l("가져오기")),
    NavItem("admin_users.index", _l("사용자 관리"), frozenset({"admin"})),
    NavItem("audit.index", _l("감사 로그"), frozenset({"admin"})),
    NavItem("company_admin.trash", _l("휴지통"), frozenset({"admin"})),
)

LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}


def navigation_for_user() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    return [item for item in NAVIGATION
            if item.endpoint in current_app.view_functions and (item.roles is None or current_user.role in item.roles)]


def register_globals(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def inject_layout():
        return {
            "navigation": navigation_for_user(),
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
