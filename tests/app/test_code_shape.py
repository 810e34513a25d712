"""The house rules a newcomer relies on, checked on every run.

- No module of the application over 600 lines, no function over 60: a module holds one feature.
- ``make lint``'s import contracts hold, and they do fail on a cycle between domains or on an
  upward import (checked on a copy of the code with one bad import added).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "challenge", ROOT / "worker"]
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _python_files() -> list[Path]:
    return sorted(p for folder in SOURCES for p in folder.rglob("*.py"))


def test_no_module_over_600_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _python_files()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_over_60_lines() -> None:
    long = {}
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = length
    assert long == {}


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _copy_of_the_code(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    for folder in ("challenge", "worker"):
        shutil.copytree(ROOT / folder, tree / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_import_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("probes", "contract"),
    [
        # A cycle between two domains (each reads the other's service).
        (
            {
                "challenge/campaigns/probe.py": "import challenge.proposals.service",
                "challenge/proposals/probe.py": "import challenge.campaigns.service",
            },
            "No cycle between the packages",
        ),
        # An upward import inside a domain: the models may not know the pages.
        ({"challenge/jury/models_probe.py": ""}, "Inside a domain"),
        # The access layer may not call a service.
        ({"challenge/access/probe.py": "import challenge.jury.service"}, "The access layer"),
    ],
)
def test_import_contracts_fail_on_a_bad_import(
    tmp_path: Path, probes: dict[str, str], contract: str
) -> None:
    tree = _copy_of_the_code(tmp_path)
    if not any(probes.values()):
        models = tree / "challenge/jury/models.py"
        models.write_text(models.read_text() + "\nimport challenge.jury.views  # noqa\n")
    for module, bad_import in probes.items():
        if bad_import:
            (tree / module).write_text(f"{bad_import}  # noqa\n")
    result = _lint_imports(tree)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if "BROKEN" in line]
    assert broken, result.stdout
    assert contract in result.stdout.split("Broken contracts")[-1]
