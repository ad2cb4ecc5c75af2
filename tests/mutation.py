"""A small mutation check of the access layer: ``make mutants``.

Each mutant is a deliberate bug in the code that decides who sees what (a ceiling left
uncapped, a re-check skipped, a range bound off by one). The suite must catch every one: for
each, the patch is applied to a copy of the project (never to the working tree), and the tests
that guard that code run there. Prints a table of caught and survived mutants; exits non-zero
if any survived.

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

ROOT = Path(__file__).resolve().parent.parent
GUARDS = [
    "tests/test_access.py",
    "tests/test_generated_views.py",
    "tests/test_bodies_generated.py",
    "tests/test_actors_generated.py",
    "tests/test_related_sight.py",
    "tests/test_activity.py",
    "tests/test_label_floor.py",
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
        "bridgework/bodies/models.py",
        'return rows.filter(**{f"{field}__in": parent._default_manager.visible_to(user, "view")})',
        "return rows",
    ),
    Mutant(
        "related records always named",
        "bridgework/access/policy.py",
        "        return self._seen[key]\n",
        "        return True\n",
    ),
    Mutant(
        "workflow roles not checked",
        "bridgework/activity/workflows.py",
        "if not holds_role_at(user, transition.roles, path):",
        "if False:",
    ),
    Mutant(
        "a child may be less sensitive than its parent",
        "bridgework/places/models.py",
        "if parent is not None and self.tlp is not None and self.tlp < parent.tlp:",
        "if False:",
    ),
]


def _copy_of_project(into: Path) -> Path:
    for name in ("bridgework", "tests"):
        shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "manage.py"):
        shutil.copy2(ROOT / name, into / name)
    return into


def run(mutant: Mutant | None) -> tuple[bool, float]:
    """Apply to a copy and test there. True when the suite caught the mutant (a test failed);
    with no mutant, the control run: the guards must pass on the copy as it is."""
    with tempfile.TemporaryDirectory(prefix="bridgework-mutant-") as scratch:
        copy = _copy_of_project(Path(scratch))
        if mutant is not None:
            path = copy / mutant.path
            original = path.read_text()
            if original.count(mutant.old) != 1:
                raise SystemExit(f"{mutant.name}: the code to mutate is not once in {mutant.path}")
            path.write_text(original.replace(mutant.old, mutant.new))
        started = time.monotonic()
        # The copy comes first on the path, so it is the copy's code that is imported.
        result = subprocess.run(  # noqa: S603 (our own test runner, fixed arguments)
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *GUARDS],
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
        return result.returncode != 0, time.monotonic() - started


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or any(word in m.name for word in argv)]
    failed, seconds = run(None)
    if failed:
        raise SystemExit("The guard tests fail on an unmutated copy: fix them first.")
    print(f"control run (no mutant): the guards pass ({seconds:.0f} s)\n")
    survived = []
    print(f"{'mutant':<52} {'result':<9} seconds")
    for mutant in chosen:
        caught, seconds = run(mutant)
        print(f"{mutant.name:<52} {'caught' if caught else 'SURVIVED':<9} {seconds:6.1f}")
        if not caught:
            survived.append(mutant.name)
    print(f"\n{len(chosen) - len(survived)} of {len(chosen)} mutants caught.")
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
