"""The security checklist (../shared/security-checklist.md, T1-T39) as an inventory of tests.

A test that checks a control is named after it: `test_t1_...`, or `test_t32_t35_...` for several. This file
reads the names of every test function under tests/ and fails if a control has none, so a rename or a deleted
file cannot silently drop one from the suite. The table in docs/security.md lists the same names.
"""
import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
CONTROLS = range(1, 40)
CONTROL_PREFIX = re.compile(r"^test_((?:t\d+_)+)")


def controls_in(name: str) -> set[int]:
    """The checklist numbers a test name starts with: test_t32_t35_x -> {32, 35}."""
    match = CONTROL_PREFIX.match(name)
    return {int(number) for number in re.findall(r"t(\d+)_", match.group(1))} if match else set()


def checklist_tests() -> dict[int, list[str]]:
    found: dict[int, list[str]] = {number: [] for number in CONTROLS}
    for path in sorted(TESTS.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for number in controls_in(node.name):
                    found.setdefault(number, []).append(f"{path.relative_to(TESTS.parent)}::{node.name}")
    return found


def test_the_control_numbers_are_read_from_the_start_of_a_name_only():
    assert controls_in("test_t32_t35_read_modify_write") == {32, 35}
    assert controls_in("test_t1_two_users") == {1}
    assert controls_in("test_the_t1_thing") == set()
    assert controls_in("test_tomorrow_in_seoul") == set()


def test_every_control_of_the_checklist_has_a_test_named_after_it():
    found = checklist_tests()

    assert [f"T{number}" for number in CONTROLS if not found[number]] == []


def test_no_test_names_a_control_the_checklist_does_not_have():
    found = checklist_tests()

    assert {number: names for number, names in found.items() if number not in CONTROLS} == {}
