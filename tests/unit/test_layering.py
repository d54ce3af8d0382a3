"""The layering contracts (``[tool.importlinter]`` in pyproject.toml) hold, and
each of them can fail: a copy of the tree with one offending module added is
checked in a subprocess and the contract must report BROKEN."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def _lint(cwd: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    args = [LINT, "--no-cache"] + [a for c in contracts for a in ("--contract", c)]
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=300,
        env=os.environ | {"PYTHONPATH": str(cwd)},
    )


def test_the_tree_keeps_every_contract():
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "5 kept, 0 broken" in out.stdout


OFFENDERS = {
    "core-pure": {"desktop/core/probe_offender.py": "import PySide6\n"},
    "ui-services-only": {"desktop/ui/probe_offender.py": "from desktop.core.model import User\n"},
    "cli-no-qt": {"desktop/cli/probe_offender.py": "from PySide6 import QtWidgets\n"},
    "server-pure-core": {
        "sync/server/probe_offender.py": "from desktop.core.services import tracking\n"
    },
    "no-cycles": {
        "sync/client/probe_a.py": "from sync.client import probe_b\n",
        "sync/client/probe_b.py": "from sync.client import probe_a\n",
    },
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    base = tmp_path_factory.mktemp("layering")
    for name in ("desktop", "sync"):
        shutil.copytree(ROOT / name, base / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", base / "pyproject.toml")
    return base


@pytest.mark.parametrize("contract", sorted(OFFENDERS))
def test_each_contract_can_fail(tree, contract):
    files = OFFENDERS[contract]
    for rel, text in files.items():
        (tree / rel).write_text(text)
    try:
        out = _lint(tree, contract)
    finally:
        for rel in files:
            (tree / rel).unlink()
    assert out.returncode == 1, out.stdout + out.stderr
    assert "BROKEN" in out.stdout
    assert "probe_" in out.stdout  # the report names the offending module
