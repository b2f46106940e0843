"""Mutation testing of the key (see ``harness``): over every scenario program in
``programs/``, no mutant that changes the program's output may be served from the cache.

Deep mode is checked on every program; the default (shallow) mode on the programs whose every
mutation it promises to see (``"shallow": true``: code and values the checkpointed function
reads directly). The totals (mutants tried, survivors, redundant reruns) are printed at the
end of the run.
"""

from __future__ import annotations

import sys

import pytest

from tests.mutation import harness

PROGRAMS = harness.programs()


def test_there_are_enough_programs():
    assert len(PROGRAMS) >= 40


@pytest.mark.slow
@pytest.mark.parametrize("folder", PROGRAMS, ids=lambda p: p.name)
def test_no_mutant_that_changes_the_output_is_served_from_the_cache(folder, tmp_path, record_property):
    if sys.version_info < harness.requires_python(folder):
        pytest.skip(f"the program uses Python {'.'.join(map(str, harness.requires_python(folder)))} syntax")
    if harness.missing_packages(folder):
        pytest.skip(f"the program needs {', '.join(harness.missing_packages(folder))}")
    program = harness.Program.load(folder)
    modes = ["deep", "shallow"] if program.shallow else ["deep"]
    reports = harness.check_program(program, modes, tmp_path)
    for report in reports:
        record_property(f"mutation-{report.mode}", (report.tried, report.changed, len(report.survivors),
                                                    report.redundant, report.invalid))
    problems = [f"{r.summary()}\n  " + "\n  ".join(r.survivors + r.errors) for r in reports if r.survivors or r.errors]
    assert not problems, "\n".join(problems)
