"""Library-wide settings changed by the program (analysis/settings.py): a call that reaches the
library reruns when one changes, and is served when the program sets the same values again, in
both modes; a call that does not reach the library is served whatever they are."""

from __future__ import annotations

import pytest

from tests.helpers import Project, run_edits

MODES = pytest.mark.parametrize("decorator", ["@checkpoint(deep=True)", "@checkpoint()"], ids=["deep", "default"])


@MODES
def test_scikit_learn_output_configuration(project: Project, decorator: str) -> None:
    main = f'''
import sklearn
from sklearn.preprocessing import StandardScaler
from checkpointing import checkpoint

sklearn.set_config(transform_output="default")


{decorator}
def scale(rows):
    print("RUN")
    return type(StandardScaler().fit_transform(rows)).__name__


{decorator}
def total(rows):
    print("RUN")
    return sum(map(sum, rows))


if __name__ == "__main__":
    print("OUT", repr(scale([[1.0, 2.0], [3.0, 5.0]])), repr(total([[1.0, 2.0]])))
'''
    run_edits(project, "sklearn set_config", {"main.py": main}, [
        ("main.py", 'transform_output="default"', 'transform_output="pandas"', "rerun"),
        ("main.py", 'transform_output="pandas"', 'transform_output="pandas", assume_finite=False', "skip"),
        ("main.py", 'transform_output="pandas", assume_finite=False', 'transform_output="default"', "skip"),
    ])
    # (the second function reaches no library: the edits above never made it run again)
    assert project.run().ran == 0


@MODES
def test_the_decimal_context(project: Project, decorator: str) -> None:
    main = f'''
import decimal
from decimal import Decimal
from checkpointing import checkpoint

decimal.getcontext().prec = 28


{decorator}
def third(a):
    print("RUN")
    return str(a / 3)


if __name__ == "__main__":
    print("OUT", repr(third(Decimal(1))))
'''
    run_edits(project, "decimal context", {"main.py": main}, [
        ("main.py", "prec = 28", "prec = 5", "rerun"),
        ("main.py", "prec = 5", "prec = 5  # fewer digits", "skip"),
        ("main.py", "prec = 5  # fewer digits", "prec = 28", "skip"),
    ])


def test_pandas_and_numpy_options_a_helper_reads(project: Project) -> None:
    files = {"main.py": '''
import numpy as np
import pandas as pd
from checkpointing import checkpoint
from report import table

pd.set_option("display.precision", 3)
np.set_printoptions(precision=4)


@checkpoint(deep=True)
def summary(n):
    print("RUN")
    return table(n), str(np.arange(n) / 7)


if __name__ == "__main__":
    print("OUT", repr(summary(3)))
''', "report.py": '''
import pandas as pd


def table(n):
    return pd.DataFrame({"v": [i / 3 for i in range(n)]}).to_string()
'''}
    run_edits(project, "pandas and numpy options", files, [
        ("main.py", '"display.precision", 3', '"display.precision", 2', "rerun"),
        ("main.py", "precision=4", "precision=5", "rerun"),
        ("main.py", "precision=5", "precision=8", "rerun"),  # numpy's default: the entry of no option
    ])
