"""The dependency contracts between apps (pyproject.toml [tool.importlinter], run by make lint)
hold on main and catch a forbidden import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "core",
    "transparency",
    "policies",
    "consultations",
    "amendments",
    "communities",
    "accounts",
    "ratification",
    "search",
    "policysite",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture
def tree(tmp_path):
    """A copy of the apps' Python files and the contracts, to break on purpose."""
    for app in APPS:
        for source in (ROOT / app).rglob("*.py"):
            target = tmp_path / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(tree):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, check=False
    )


def test_contracts_hold_on_this_tree(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("policies/selectors.py", "from consultations import models", "policies imports no"),
        ("core/api.py", "import policies.models", "core is the bottom layer"),
        ("consultations/views.py", "from ratification import rules", "do not import ratification"),
        ("amendments/views.py", "from ratification import rules", "do not import ratification"),
        ("consultations/views.py", "from amendments import rules", "do not import amendments"),
        ("accounts/services.py", "from consultations import services", "no import cycles"),
        ("ratification/views.py", "from policysite import urls", "no app imports policysite"),
        ("search/views.py", "from policysite import urls", "no app imports policysite"),
        ("ratification/views.py", "from search import selectors", "no import cycles"),
        ("policies/selectors.py", "from search import text", "policies imports no"),
        ("transparency/services.py", "from policies import models", "no import cycles"),
        ("core/feeds.py", "from transparency import services", "core is the bottom layer"),
    ],
)
def test_a_forbidden_import_breaks_the_build(tree, module, line, broken):
    path = tree / module
    path.write_text(path.read_text() + f"\n{line}  # added by the contract test\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert broken in result.stdout and "BROKEN" in result.stdout
