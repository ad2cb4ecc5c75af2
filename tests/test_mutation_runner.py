"""``make mutants`` counts a mutant as caught only when a test fails: a mutant that keeps the
tests from running (an import error) is an error, never a catch."""

from pathlib import Path

import pytest

from tests import mutation

ROOT = Path(__file__).resolve().parent.parent


def junit(case: str = "") -> str:
    """A JUnit report as pytest writes it, with one test case holding ``case``."""
    return f"<testsuites><testsuite><testcase>{case}</testcase></testsuite></testsuites>"


FAILED = junit('<failure message="assert False"/>')
SETUP = junit('<error message="failed on setup with ValueError"/>')
COLLECTION = junit('<error message="collection failure"/>')
PASSED = junit()


@pytest.mark.parametrize(
    ("code", "report", "expected"),
    [
        (0, PASSED, "SURVIVED"),
        (1, FAILED, "caught"),
        (1, SETUP, "caught"),  # the mutant broke a fixture: a test still ran and failed
        (1, None, "error"),  # pytest stopped before any test (settings failed to import)
        (1, PASSED, "error"),
        (2, COLLECTION, "error"),
        (1, COLLECTION, "error"),
        (1, "not xml", "error"),
        (3, FAILED, "error"),
        (4, None, "error"),
        (5, PASSED, "error"),
    ],
)
def test_only_a_failing_test_catches_a_mutant(code, report, expected):
    assert mutation.outcome(code, report) == expected


def test_every_mutant_names_code_that_is_there_once():
    for mutant in mutation.MUTANTS:
        source = (ROOT / mutant.path).read_text()
        assert source.count(mutant.old) == 1, mutant.name


def test_a_mutant_that_breaks_the_import_is_an_error_and_a_real_bug_is_caught():
    guards = ["tests/test_paths.py"]
    broken = mutation.Mutant(
        "not python", "bridgework/core/paths.py", 'return path, path[:-1] + "0"', "return ("
    )
    result, _seconds, tail = mutation.run(broken, guards)
    assert result == "error", tail
    too_wide = next(m for m in mutation.MUTANTS if "one character too wide" in m.name)
    result, _seconds, tail = mutation.run(too_wide, guards)
    assert result == "caught", tail
