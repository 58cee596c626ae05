"""The English translation: the language switch, and a catalog that translates every source string."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from crm.auth.models import Role
from tests.conftest import log_in

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = PROJECT_ROOT / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")

HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+")
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
# The language button names itself in its own language on every page.
KOREAN_LANGUAGE_NAME = "한국어"


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs():
    """.mo files are git-ignored and built by `make translations`; build them here if missing or stale."""
    if not EN_MO.exists() or EN_MO.stat().st_mtime < EN_PO.stat().st_mtime:
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(TRANSLATIONS)],
                       cwd=PROJECT_ROOT, check=True, capture_output=True)
        # Flask-Babel caches loaded catalogs on the Domain shared by every app (a werkzeug cached_property,
        # so in babel.__dict__ once made); drop any catalog an earlier test loaded before the .mo existed.
        from crm.extensions import babel
        domain = vars(babel).get("domain_instance")
        if domain is not None:
            domain.cache.clear()
    assert EN_MO.exists()


def read_catalog():
    with EN_PO.open("rb") as f:
        return read_po(f, locale="en")


def korean_left_in(html: str) -> list[str]:
    return HANGUL.findall(html.replace(KOREAN_LANGUAGE_NAME, ""))


def choose_language(client, lang: str):
    return client.post("/lang", data={"lang": lang, "next": "/login"})


# The language switch

def test_the_login_page_is_korean_by_default(client):
    page = client.get("/login")

    assert page.status_code == 200
    assert '<html lang="ko">' in page.text
    assert "로그인" in page.text
    assert "Sign in" not in page.text


def test_choosing_english_shows_the_login_page_in_english(client):
    response = choose_language(client, "en")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"

    page = client.get("/login")

    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Sign in" in page.text
    assert "Login ID" in page.text and "Password" in page.text
    assert "로그인" not in page.text
    assert KOREAN_LANGUAGE_NAME in page.text  # the way back
    assert korean_left_in(page.text) == []


def test_choosing_korean_again_switches_back(client):
    choose_language(client, "en")
    choose_language(client, "ko")

    page = client.get("/login")

    assert '<html lang="ko">' in page.text
    assert "로그인" in page.text


def test_the_language_choice_survives_signing_in(client, make_user):
    make_user(Role.ADMIN, login_id="admin1", name="Ada Admin")
    choose_language(client, "en")

    response = log_in(client, "admin1")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])

    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Dashboard" in page.text
    assert "Hello, Ada Admin." in page.text
    assert "Sign out" in page.text
    assert "대시보드" not in page.text and "로그아웃" not in page.text
    assert korean_left_in(page.text) == []


# The audit page filtered to user records: the seeded reference rows (specialty names) are Korean data, not UI.
@pytest.mark.parametrize("url", ["/admin/users/", "/admin/audit/?record_type=User"])
def test_admin_pages_are_entirely_english(client, make_user, url):
    make_user(Role.ADMIN, login_id="admin1", name="Ada Admin")
    choose_language(client, "en")
    log_in(client, "admin1")

    page = client.get(url)

    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Total: " in page.text  # the pagination macro
    assert korean_left_in(page.text) == []


def test_a_failed_sign_in_is_reported_in_english(client, admin):
    choose_language(client, "en")

    response = log_in(client, "admin1", "not the password")

    assert response.status_code == 401
    assert "Incorrect login ID or password." in response.text
    assert korean_left_in(response.text) == []


def test_an_unknown_language_code_leaves_korean(client):
    response = choose_language(client, "xx")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "lang" not in session

    page = client.get("/login")

    assert '<html lang="ko">' in page.text
    assert "로그인" in page.text
    assert "Sign in" not in page.text


# The catalog

def test_every_message_has_an_english_translation():
    catalog = read_catalog()
    messages = [message for message in catalog if message.id]

    assert messages, "the English catalog is empty"
    untranslated = [message.id for message in messages if not message.string or not str(message.string).strip()]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_the_placeholders_of_the_source():
    mismatched = [
        (message.id, message.string) for message in read_catalog() if message.id and message.string
        if sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string))
    ]

    assert mismatched == []


def test_translations_are_english():
    still_korean = [(message.id, message.string) for message in read_catalog()
                    if message.id and message.string and HANGUL.search(message.string)]

    assert still_korean == []


def _source_messages() -> dict[str, set[str]]:
    """msgid -> files, extracted as `make messages` does: babel.cfg's mapping of crm/ and templates/, keyword _l,
    and only dot-directories skipped (pybabel's default also skips _* directories, such as templates/_macros)."""
    with (PROJECT_ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)

    def directory_filter(path: str) -> bool:
        name = Path(path).name
        return not (name.startswith(".") or name == "__pycache__")

    found: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT, method_map, options_map, keywords={**DEFAULT_KEYWORDS, "_l": None},
            directory_filter=directory_filter):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault(msgid, set()).add(filename)
    return found


def test_the_catalog_translates_every_string_in_the_source():
    """Fails when a _() string was added without `make messages` and a translation."""
    source = _source_messages()
    translated = {message.id for message in read_catalog() if message.id and message.string}

    missing = {msgid: sorted(files) for msgid, files in source.items() if msgid not in translated}

    assert missing == {}
    # The shared template macros (pagination) are extracted too.
    assert any(file.startswith("templates/_macros/") for files in source.values() for file in files)
