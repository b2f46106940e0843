"""Deep mode in IPython/Jupyter: functions defined in cells, keys independent of cell numbers."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

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


# a kernel as Jupyter's: cells kept in the history (numbered In [1], In [2], ...), their code
# compiled under ipykernel's names (a temporary file per cell that does not exist on disk)
JUPYTER = '''
import logging, os, sys, tempfile, hashlib
from IPython.core.compilerop import CachingCompiler
from IPython.core.interactiveshell import InteractiveShell

logging.basicConfig(level=logging.INFO, format="WHY %(message)s")


class KernelCompiler(CachingCompiler):
    def get_code_name(self, raw_code, transformed_code, number):
        digest = hashlib.sha1(transformed_code.encode()).hexdigest()[:10]
        return os.path.join(tempfile.gettempdir(), f"ipykernel_{os.getpid()}", f"{digest}.py")


shell = InteractiveShell.instance()
if sys.argv[1] == "ipykernel":
    shell.compile = KernelCompiler()
for cell in sys.stdin.read().split("# %%\\n"):
    result = shell.run_cell(cell, store_history=True)
    if not result.success:
        raise SystemExit(f"cell failed: {result.error_in_exec or result.error_before_exec}")
'''

SCALE_CELL = "SCALE = 2\n"
SCALED_CELL = "def helper(v):\n    return v * SCALE\n"


def run_kernel(project: Project, names: str, *cells: str) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-c", JUPYTER, names], input="# %%\n".join(cells), cwd=project.root,
                       env=project.env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    return p


@pytest.mark.parametrize("names", ["ipython", "ipykernel"])
def test_reasons_name_cells_as_the_user_sees_them(project: Project, names: str) -> None:
    run_kernel(project, names, SCALE_CELL, SCALED_CELL, MAIN_CELL)
    # a new kernel: an extra first cell, the value and the helper edited
    p = run_kernel(project, names, "x = 1\n", SCALE_CELL.replace("2", "3"), SCALED_CELL.replace("v *", "1 + v *"),
                   MAIN_CELL)
    assert p.stdout.splitlines() == ["RUN", "OUT 17"]
    (why,) = [line[4:] for line in p.stderr.splitlines() if line.startswith("WHY ")]
    assert why == ("__main__.foo: recomputed because global `SCALE` (read in In [3]) changed from 2 to 3; "
                   "helper `helper` (In [3], line 1) changed"), p.stderr
    assert "Warning" not in p.stderr  # (the cells differ: not a value that changed by itself)


def test_an_unchanged_notebook_run_again_is_served_and_says_so(project: Project) -> None:
    main = MAIN_CELL + "print('OUT', foo.explain(5).cached)\n"
    run_kernel(project, "ipykernel", SCALE_CELL, SCALED_CELL, main)
    p = run_kernel(project, "ipykernel", "x = 1\n", SCALE_CELL, SCALED_CELL, main)
    assert p.stdout.splitlines() == ["OUT 11", "OUT True"]
