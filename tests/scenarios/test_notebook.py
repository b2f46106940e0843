"""Deep mode in IPython/Jupyter: functions defined in cells, keys independent of cell numbers."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.helpers import Project

KERNEL = '''
import sys
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
cells = sys.stdin.read().split("# %%\\n")
for cell in cells:
    result = shell.run_cell(cell)
    if not result.success:
        raise SystemExit(f"cell failed: {result.error_in_exec or result.error_before_exec}")
'''

HELPER_CELL = "def helper(v):\n    return v * 2\n"
MAIN_CELL = textwrap.dedent('''
    from checkpointing import checkpoint

    @checkpoint(deep=True)
    def foo(x):
        print("RUN")
        return helper(x) + 1

    print("OUT", repr(foo(5)))
''')


def run_cells(project: Project, *cells: str) -> list:
    p = subprocess.run([sys.executable, "-c", KERNEL], input="# %%\n".join(cells), cwd=project.root,
                       env=project.env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout.splitlines()


def test_cells_in_a_new_kernel_hit_whatever_their_numbers(project: Project) -> None:
    assert run_cells(project, HELPER_CELL, MAIN_CELL) == ["RUN", "OUT 11"]
    # a new kernel, an extra cell first: every cell number shifts
    assert run_cells(project, "x = 1\n", HELPER_CELL, MAIN_CELL) == ["OUT 11"]


def test_editing_a_helper_cell_recomputes(project: Project) -> None:
    run_cells(project, HELPER_CELL, MAIN_CELL)
    assert run_cells(project, HELPER_CELL.replace("v * 2", "v * 3"), MAIN_CELL) == ["RUN", "OUT 16"]
    assert run_cells(project, HELPER_CELL.replace("v * 2", "(v) * 3  # same"), MAIN_CELL) == ["OUT 16"]
