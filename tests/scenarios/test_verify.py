"""`checkpointing verify`: a hit is recomputed and compared; stale entries and nondeterministic
functions are told apart, reported once per function, and make the command exit 1."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from checkpointing import VerificationWarning
from checkpointing._verify import parse_fraction

from ..helpers import Project

PIPELINE = """\
    import numpy as np
    from checkpointing import checkpoint

    FACTOR = 2


    def helper(x):
        return x * FACTOR


    @checkpoint()
    def scaled(x):
        print("RUN")
        return {"value": helper(x), "rows": [1, 2, x]}


    @checkpoint(deep=True)
    def seeded(n):
        return np.random.default_rng(0).random(n)


    for x in range(3):
        print("OUT", scaled(x)["value"], seeded(4).round(3).tolist())
"""

NOISY = """\
    import numpy as np
    from checkpointing import checkpoint


    @checkpoint(deep=True)
    def draw(n):
        return np.random.default_rng().random(n)  # a generator seeded from the OS, made inside


    print("OUT", draw(5).shape)
"""


def verify(project: Project, *options: str, script: str = "main.py") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checkpointing", "verify", *options, "--", sys.executable, script],
                          cwd=project.root, env=project.env, capture_output=True, text=True, timeout=120)


def test_an_unchanged_pipeline_verifies_clean(project: Project) -> None:
    project.write(PIPELINE).run()
    done = verify(project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 hits verified, each gave back its stored result" in done.stdout
    assert "stale" not in done.stdout.split("function", 1)[0]


def test_a_helper_edited_under_shallow_mode_is_caught_as_stale(project: Project) -> None:
    project.write(PIPELINE).run()
    project.write(PIPELINE.replace("FACTOR = 2", "FACTOR = 5"))
    assert project.run().out[1].startswith("2 ")  # a plain run serves the stale entry

    done = verify(project, "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout[done.stdout.index("{"):])
    scaled = report["functions"]["__main__.scaled"]
    assert (scaled["verified"], scaled["stale"], scaled["nondeterministic"]) == (3, 2, 0)  # x=0 gives 0 either way
    assert report["functions"]["__main__.seeded"]["stale"] == 0
    [mismatch] = report["mismatches"]
    assert mismatch["verdict"] == "stale" and mismatch["function"] == "__main__.scaled"
    assert mismatch["difference"] == "result['value']: 2 (stored) != 5 (recomputed)"
    assert any(c.startswith("code `scaled`") for c in mismatch["covers"]) and mismatch["key"]
    # the program got the recomputed results; the store was left as it was
    assert [line.split()[1] for line in done.stdout.splitlines() if line.startswith("OUT")] == ["0", "5", "10"]
    assert project.run().out[1].startswith("2 ")


def test_the_text_report_tells_each_function_once_with_a_summary_table(project: Project) -> None:
    project.write(PIPELINE).run()
    project.write(PIPELINE.replace("FACTOR = 2", "FACTOR = 5"))
    done = verify(project)
    assert done.returncode == 1
    assert done.stdout.count("__main__.scaled: the stored result differs") == 1
    assert "first difference: result['value']: 2 (stored) != 5 (recomputed)" in done.stdout
    assert "use deep=True" in done.stdout
    table = done.stdout[done.stdout.index("\nfunction ") + 1:].splitlines()
    assert table[0].split() == ["function", "hits", "verified", "stale", "nondeterministic", "time"]
    assert table[2].split()[:4] == ["__main__.seeded", "3", "0", "0"]
    assert table[1].split()[:4] == ["__main__.scaled", "3", "2", "0"]
    assert "1 function with stale entries, 0 nondeterministic" in done.stdout
    assert "VerificationWarning" not in done.stderr  # told by the command, not by each process


def test_unseeded_random_numbers_are_reported_as_nondeterministic(project: Project) -> None:
    project.write(NOISY).run()
    done = verify(project, "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout[done.stdout.index("{"):])
    assert report["functions"]["__main__.draw"]["nondeterministic"] == 1
    [mismatch] = report["mismatches"]
    assert mismatch["verdict"] == "nondeterministic"
    assert mismatch["difference"].startswith("result[0]: ") and "5 of 5 elements differ" in mismatch["difference"]


def test_a_fraction_verifies_a_sample_of_the_hits(project: Project) -> None:
    project.write(PIPELINE.replace("range(3)", "range(200)")).run()
    done = verify(project, "--fraction", "0.25", "--format", "json")
    assert done.returncode == 0, done.stderr
    verified = json.loads(done.stdout[done.stdout.index("{"):])["functions"]["__main__.scaled"]["verified"]
    assert 15 <= verified <= 90  # 200 hits, a quarter expected (a bound missed with p < 1e-9)


def test_the_environment_variable_alone_warns_in_the_program(project: Project) -> None:
    project.write(PIPELINE).run()
    project.write(PIPELINE.replace("FACTOR = 2", "FACTOR = 5"))
    run = project.run(check=False, extra_env={"CHECKPOINTING_VERIFY": "1"})
    assert run.stderr.count("VerificationWarning") == 1 and "the entry is stale" in run.stderr
    assert "checkpointing: verification of the hits of this run" in run.stderr
    assert [line.split()[0] for line in run.out] == ["0", "5", "10"]


@pytest.mark.parametrize("options, message", [
    ((), "give the command to run after --"),
    (("--fraction", "1.5", "--", "true"), "--fraction must be 1 (verify every hit), 0 (none) or a fraction"),
    (("--fraction", "0", "--", "true"), "verifies nothing"),
    (("--", "no-such-command-here"), "cannot run no-such-command-here"),
])
def test_usage_errors_exit_2_and_say_what_to_do(options, message, tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "checkpointing", "verify", *options], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 2 and message in done.stderr


def test_a_failing_command_exits_2_and_no_hit_is_said(project: Project) -> None:
    project.write("import sys\nsys.exit(3)\n")
    done = verify(project)
    assert done.returncode == 2
    assert "exited with status 3" in done.stdout and "no hit was verified" in done.stdout


def test_a_bad_environment_value_is_a_clear_error(project: Project) -> None:
    project.write(PIPELINE)
    run = project.run(check=False, extra_env={"CHECKPOINTING_VERIFY": "sometimes"})
    assert "CHECKPOINTING_VERIFY must be 1 (verify every hit), 0 (none) or a fraction" in run.stderr


def test_fractions_parse() -> None:
    assert [parse_fraction(t) for t in ("", "0", "off", "1", "true", "all", "0.1", " 0.5 ")] == \
        [0, 0, 0, 1, 1, 1, 0.1, 0.5]
    for bad in ("-0.1", "2", "nan", "half"):
        with pytest.raises(ValueError):
            parse_fraction(bad)
    assert issubclass(VerificationWarning, UserWarning)


def test_a_result_neither_digested_nor_comparable_is_counted_unchecked(tmp_path, monkeypatch) -> None:
    from types import SimpleNamespace

    from checkpointing import _verify

    calls = []
    function = SimpleNamespace(func=lambda x: calls.append(x) or object(), function_id="m.f",
                               decorator=SimpleNamespace(identifier=SimpleNamespace(deep=True)))
    monkeypatch.setattr(_verify, "compare", lambda a, b: None)
    report = tmp_path / "report.jsonl"
    verifier = _verify.Verifier(1.0, str(report))
    stored = object()
    assert verifier.check(function, "k", stored, (1,), {}) is stored and calls == [1]
    tallies, mismatches = _verify.read_report(str(report))
    assert (tallies["m.f"].verified, tallies["m.f"].unverifiable, mismatches) == (1, 1, [])
    assert "not comparable" in _verify.table(tallies)[0]


# (inputs=False: the file it reads is not recorded, so deleting it leaves the entry served, and
# only verify's recomputation finds out)
READS_A_FILE = """\
    from checkpointing import checkpoint


    @checkpoint(deep=True, inputs=False)
    def load(path):
        with open(path) as f:
            return f.read()


    print("OUT", load("data.txt"))
"""


def test_a_result_that_cannot_be_recomputed_any_more_is_reported_and_the_program_goes_on(project: Project) -> None:
    project.write({"main.py": READS_A_FILE, "data.txt": "42"}).run()
    (project.root / "data.txt").unlink()
    done = verify(project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "OUT 42" in done.stdout  # served what was stored
    assert "its stored result could not be recomputed" in done.stdout
    assert "why: the recomputation raised FileNotFoundError" in done.stdout
    assert "1 that could not be recomputed" in done.stdout
    assert done.stdout[done.stdout.index("\nfunction ") + 1:].splitlines()[0].split()[-2:] == ["failed", "time"]

