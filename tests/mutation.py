"""A small mutation check of the access layer: ``make mutants``.

Each mutant is a deliberate bug in the code that decides who sees what (a ceiling left
uncapped, a re-check skipped, a range bound off by one). The suite must catch every one: for
each, the patch is applied to a copy of the project (never to the working tree), and the tests
that guard that code run there. Prints a table of caught and survived mutants; exits non-zero
if any survived.

Only a failing test catches a mutant (pytest's exit code 1). A mutant that stops the tests
from running at all (a collection or import error, pytest's 2 to 5) is reported as an
*error*, never as caught: it shows nothing about the tests, and also fails the run.

    python -m tests.mutation            # every mutant
    python -m tests.mutation ceiling    # the mutants whose name contains "ceiling"
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
GUARDS = [
    "tests/test_access.py",
    "tests/test_generated_views.py",
    "tests/test_bodies_generated.py",
    "tests/test_actors_generated.py",
    "tests/test_related_sight.py",
    "tests/test_sight_in_python.py",
    "tests/test_activity.py",
    "tests/test_label_floor.py",
    "tests/test_funding_generated.py",  # the parts asked about per part (grants and theirs)
]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str


MUTANTS = [
    Mutant(
        "reading upward without the GREEN ceiling",
        "bridgework/access/policy.py",
        "min(TLP.GREEN, max(held.ceiling for held, _path in grants))",
        "max(held.ceiling for held, _path in grants)",
    ),
    Mutant(
        "create without the scope re-check",
        "bridgework/core/actions.py",
        'ensure_in_scope(obj, acting_user, "add")',
        "None",
    ),
    Mutant(
        "update without the scope re-check",
        "bridgework/core/actions.py",
        'ensure_in_scope(obj, acting_user, "change")',
        "None",
    ),
    Mutant(
        "TLP ceiling ignored",
        "bridgework/core/scoping.py",
        '& Q(**{f"{tlp_field}__lte": ceiling})',
        "",
    ),
    Mutant(
        "subtree range one character too wide",
        "bridgework/core/paths.py",
        'return path, path[:-1] + "0"',
        'return path, path[:-2] + "0"',
    ),
    Mutant(
        "writes reach upward",
        "bridgework/access/roles.py",
        "READS_UPWARD = frozenset({VIEW, HISTORY, EXPORT})",
        "READS_UPWARD = frozenset({VIEW, HISTORY, EXPORT, ADD, CHANGE, DELETE})",
    ),
    Mutant(
        "a visible record's action never checked",
        "bridgework/access/policy.py",
        "if action != VIEW and not permits(user, action, obj):",
        "if False:",
    ),
    Mutant(
        "a part visible without its parent",
        "bridgework/core/scoping.py",
        'return rows.filter(**{f"{field}__in": visible})',
        "return rows",
    ),
    Mutant(
        "a part asked about per part visible without its parent",
        "bridgework/core/scoping.py",
        "return rows.filter(models.Exists(visible.filter(pk=models.OuterRef(field))))",
        "return rows",
    ),
    Mutant(
        "a loaded part named without asking about its parent",
        "bridgework/access/policy.py",
        "self._seen[(model, pk)] = self.sees(parent)",
        "self._seen[(model, pk)] = True",
    ),
    Mutant(
        "related records always named",
        "bridgework/access/policy.py",
        "        return self._seen[key]\n",
        "        return True\n",
    ),
    Mutant(
        "related records named once decided, whatever was decided",
        "bridgework/access/policy.py",
        "            return decided\n",
        "            return True\n",
    ),
    Mutant(
        "workflow roles not checked",
        "bridgework/activity/workflows.py",
        "if not holds_role_at(user, transition.roles, path):",
        "if False:",
    ),
    Mutant(
        "raising a parent's label leaves its children below it",
        "bridgework/core/actions.py",
        "    do_raise_dependent_labels(obj, acting_user=acting_user)\n",
        "",
    ),
    Mutant(
        "a child may be less sensitive than its parent",
        "bridgework/places/models.py",
        "if parent is not None and self.tlp is not None and self.tlp < parent.tlp:",
        "if False:",
    ),
]


def _copy_of_project(into: Path) -> Path:
    for name in ("bridgework", "tests", "bench"):  # bench: the tests import its generators
        shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "manage.py"):
        shutil.copy2(ROOT / name, into / name)
    return into


# pytest's exit codes: 0 all passed, 1 some test failed; 2 interrupted (a collection or import
# error), 3 internal error, 4 usage error, 5 no tests collected. An import error while the
# plugins load (pytest-django importing the settings) is exit code 1 too: so the JUnit report
# says whether a test really failed.
CAUGHT, SURVIVED, ERROR = "caught", "SURVIVED", "error"


def outcome(returncode: int, report: str | None) -> str:
    """What a run of the guards says about a mutant, from pytest's exit code and its JUnit
    XML ``report`` (None when it wrote none): a test that failed (or errored while running)
    caught it; passing tests let it survive; no test run at all — no report, a collection
    failure, any other exit code — is an error."""
    if returncode == 0:
        return SURVIVED
    if returncode != 1 or not report:
        return ERROR
    try:
        root = ElementTree.fromstring(report)  # noqa: S314 (pytest's own report)
    except ElementTree.ParseError:
        return ERROR
    failures = list(root.iter("failure"))
    errors = [e.get("message", "") for e in root.iter("error")]
    if any(message.startswith("collection failure") for message in errors):
        return ERROR
    return CAUGHT if failures or errors else ERROR


def run(mutant: Mutant | None, guards: list[str] = GUARDS) -> tuple[str, float, str]:
    """Apply to a copy and test there: ``(outcome, seconds, pytest's last lines)``. With no
    mutant, the control run: the guards must pass on the copy as it is."""
    with tempfile.TemporaryDirectory(prefix="bridgework-mutant-") as scratch:
        copy = _copy_of_project(Path(scratch))
        if mutant is not None:
            path = copy / mutant.path
            original = path.read_text()
            if original.count(mutant.old) != 1:
                raise SystemExit(f"{mutant.name}: the code to mutate is not once in {mutant.path}")
            path.write_text(original.replace(mutant.old, mutant.new))
        started = time.monotonic()
        report = copy / "report.xml"
        # The copy comes first on the path, so it is the copy's code that is imported.
        result = subprocess.run(  # noqa: S603 (our own test runner, fixed arguments)
            [
                sys.executable,
                "-m",
                "pytest",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--junitxml={report}",
                *guards,
            ],
            cwd=copy,
            env={
                **os.environ,
                "PYTHONPATH": str(copy),
                "BRIDGEWORK_DATA_DIR": str(copy / "var"),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-5:])
        written = report.read_text() if report.exists() else None
        return outcome(result.returncode, written), time.monotonic() - started, tail


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or any(word in m.name for word in argv)]
    result, seconds, tail = run(None)
    if result != SURVIVED:  # the unmutated copy must pass
        raise SystemExit(
            f"The guard tests do not pass on an unmutated copy: fix them first.\n{tail}"
        )
    print(f"control run (no mutant): the guards pass ({seconds:.0f} s)\n")
    survived, errors = [], []
    print(f"{'mutant':<52} {'result':<9} seconds")
    for mutant in chosen:
        result, seconds, tail = run(mutant)
        print(f"{mutant.name:<52} {result:<9} {seconds:6.1f}")
        if result == SURVIVED:
            survived.append(mutant.name)
        elif result == ERROR:
            errors.append(mutant.name)
            print(f"    the tests did not run: {tail.splitlines()[-1] if tail else '?'}")
    caught = len(chosen) - len(survived) - len(errors)
    print(f"\n{caught} of {len(chosen)} mutants caught", end="")
    print(f"; {len(errors)} stopped the tests from running (error)." if errors else ".")
    return 1 if survived or errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
