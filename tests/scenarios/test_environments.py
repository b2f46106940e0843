"""Results from another environment are not served (issue 15): an entry written with pandas 2
is a miss, explained, under pandas 3, whose result is stored beside it; both environments are
then served their own entry.

pandas < 3 is installed from the package registry into a temporary virtual environment that
sees this project's other packages; without the registry the test is skipped, with the reason."""

from __future__ import annotations

import site
import subprocess
import sys
import venv
from pathlib import Path

import pandas
import pytest

from tests.helpers import Project

HELPERS = '''
import pandas as pd


def make(n):
    return pd.DataFrame({"name": [f"row{i}" for i in range(n)]})
'''

MAIN = '''
import logging
import pandas as pd
from checkpointing import checkpoint
from helpers import make

logging.basicConfig(level=logging.INFO, format="WHY %(message)s")


@checkpoint()
def table(n):
    print("RUN")
    return make(n)


if __name__ == "__main__":
    frame = table(3)
    print("OUT", repr((pd.__version__.split(".")[0], str(frame["name"].dtype))))
'''


@pytest.fixture(scope="module")
def pandas2_python(tmp_path_factory) -> Path:
    if int(pandas.__version__.split(".")[0]) < 3:
        pytest.skip("this environment already has pandas < 3")
    root = tmp_path_factory.mktemp("pandas2")
    venv.EnvBuilder(with_pip=True).create(root)
    python = root / "bin" / "python"
    try:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "pandas<3"],
                       check=True, capture_output=True, timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"pandas < 3 could not be installed from the package registry: {exc}")
    # this project and its other dependencies, after the environment's own packages
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    ours = [p for p in site.getsitepackages() if "site-packages" in p]
    Path(purelib, "zz_checkpointing_test.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in ours))
    return python


@pytest.mark.slow
def test_an_entry_of_another_pandas_is_a_miss_and_both_entries_coexist(project: Project, pandas2_python: Path):
    project.write({"main.py": MAIN, "helpers.py": HELPERS})

    def run(python: str):
        p = subprocess.run([python, "main.py"], cwd=project.root, env=project.env, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        return p.stdout.count("RUN"), [line[4:] for line in p.stdout.splitlines() if line.startswith("OUT ")], \
            [line[4:] for line in p.stderr.splitlines() if line.startswith("WHY ")]

    ran, out, _ = run(str(pandas2_python))
    assert ran == 1 and out == ["('2', 'object')"]
    ran, out, why = run(sys.executable)  # pandas 3: the entry of pandas 2 is not served
    assert ran == 1 and out == ["('3', 'str')"], out
    assert len(why) == 1 and "written with pandas 2." in why[0] and "running pandas 3." in why[0]
    assert run(sys.executable)[:2] == (0, ["('3', 'str')"])  # pandas 3 is served its own entry
    assert run(str(pandas2_python))[:2] == (0, ["('2', 'object')"])  # and pandas 2 still its own
    listing = subprocess.run([sys.executable, "-m", "checkpointing", "ls"], cwd=project.root, capture_output=True,
                             text=True, check=True).stdout
    assert "pandas2." in listing and "pandas3." in listing and "2 entries" in listing
