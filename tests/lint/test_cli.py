"""The `checkpointing lint` command: formats, exit codes, suppression, configuration."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List

import pytest

from checkpointing.analysis.lint import RULES

MAIN = textwrap.dedent("""\
    import time

    import helpers
    from checkpointing import checkpoint


    @checkpoint
    def run(xs):
        xs.append(1)
        return helpers.clean(xs), time.time()
    """)
HELPERS = "def clean(xs):\n    return xs\n"


def codes(out: subprocess.CompletedProcess) -> List[str]:
    """The codes of the finding lines of a text report, in order."""
    return [m.group(1) for m in re.finditer(r"^\S+:\d+:\d+: (CKP\d+) ", out.stdout, re.MULTILINE)]


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checkpointing", "lint", *args], cwd=cwd, capture_output=True,
                          text=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "main.py").write_text(MAIN)
    (tmp_path / "helpers.py").write_text(HELPERS)
    return tmp_path


def test_text_output_and_exit_status(project: Path) -> None:
    out = lint(project)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert lines[:3] == [
        "main.py:9:5: CKP102 `xs.append(...)` changes argument `xs` in place: a cached result does not repeat the change",
        "main.py:10:12: CKP001 calls user-defined function `clean` (helpers.py:1) that shallow mode does not track: "
        "editing it will not invalidate cached results of `run`",
        "main.py:10:31: CKP103 `time.time()` reads the clock: its value differs on every run",
    ]
    # the fix, once per rule, after the findings (not repeated on every line)
    assert [line.split(":")[0] for line in lines[3:6]] == ["hint CKP001", "hint CKP102", "hint CKP103"]
    assert "deep=True" in lines[3]
    assert lines[6] == "Found 3 problems (2 files, 1 checkpointed function checked)."


def test_clean_project_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("from checkpointing import checkpoint\n\n\n@checkpoint\ndef f(x):\n    return x\n")
    out = lint(tmp_path, "ok.py")
    assert out.returncode == 0
    assert out.stdout.startswith("All checks passed")


def test_exit_zero_select_ignore_and_statistics(project: Path) -> None:
    assert lint(project, "--exit-zero").returncode == 0
    selected = lint(project, "--select", "CKP103")
    assert codes(selected) == ["CKP103"]
    ignored = lint(project, "--ignore", "CKP1")
    assert codes(ignored) == ["CKP001"]
    stats = lint(project, "--statistics").stdout.splitlines()
    assert "1      CKP001 untracked-callee" in stats and "1      CKP103 nondeterministic-call" in stats


def test_usage_errors_exit_two(project: Path) -> None:
    missing = lint(project, "nowhere")
    assert missing.returncode == 2 and "nowhere: no such file or directory" in missing.stderr
    unknown = lint(project, "--select", "XYZ9")
    assert unknown.returncode == 2 and "unknown rule code 'XYZ9'" in unknown.stderr
    assert lint(project, "--format", "xml").returncode == 2


def test_json_format(project: Path) -> None:
    out = lint(project, "--format", "json")
    findings = json.loads(out.stdout)
    assert [f["code"] for f in findings] == ["CKP102", "CKP001", "CKP103"]
    assert set(findings[0]) == {"path", "line", "column", "end_line", "end_column", "code", "name", "message",
                                "function", "functions", "chain", "hint"}
    assert findings[1] | {"message": "", "hint": ""} == {
        "path": "main.py", "line": 10, "column": 12, "end_line": 10, "end_column": 25, "code": "CKP001",
        "name": "untracked-callee", "message": "", "function": "run", "functions": [{"function": "run",
                                                                                     "module": "main"}],
        "chain": [], "hint": ""}
    assert "deep=True" in findings[1]["hint"]


def test_github_format(project: Path) -> None:
    lines = lint(project, "--format", "github").stdout.splitlines()
    assert lines[0] == ("::error file=main.py,line=9,col=5,endLine=9,endColumn=17,title=CKP102 argument-mutation::"
                        "CKP102 `xs.append(...)` changes argument `xs` in place%3A a cached result does not repeat "
                        "the change".replace("%3A", ":"))
    assert len(lines) == 3


def test_sarif_format_has_the_2_1_0_structure(project: Path) -> None:
    log = json.loads(lint(project, "--format", "sarif").stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "checkpointing" and isinstance(driver["version"], str)
    ids = [r["id"] for r in driver["rules"]]
    assert ids == [r.code for r in RULES]
    for rule in driver["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
    assert len(run["results"]) == 3
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == "error" and result["message"]["text"]
        (location,) = result["locations"]
        region = location["physicalLocation"]["region"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "main.py"
        assert all(isinstance(region[k], int) and region[k] >= 1
                   for k in ("startLine", "startColumn", "endLine", "endColumn"))


def test_noqa_comments(project: Path) -> None:
    text = MAIN.replace("xs.append(1)", "xs.append(1)  # noqa: CKP102").replace(
        "time.time()", "time.time()  # noqa: CKP001,CKP103")
    (project / "main.py").write_text(text)
    assert lint(project).returncode == 0
    (project / "main.py").write_text(MAIN.replace("xs.append(1)", "xs.append(1)  # noqa"))
    assert codes(lint(project)) == ["CKP001", "CKP103"]
    (project / "main.py").write_text("# checkpointing: noqa: CKP001, CKP103\n" + MAIN)
    assert codes(lint(project)) == ["CKP102"]
    (project / "main.py").write_text("# checkpointing: noqa\n" + MAIN)
    assert lint(project).returncode == 0


def test_pyproject_configuration(project: Path) -> None:
    (project / "pyproject.toml").write_text(textwrap.dedent("""\
        [tool.checkpointing.lint]
        ignore = ["CKP103"]
        per-file-ignores = { "main.py" = ["CKP102"] }
        """))
    out = lint(project)
    assert codes(out) == ["CKP001"]
    assert codes(lint(project, "--select", "CKP102,CKP103")) == ["CKP103"]
    (project / "pyproject.toml").write_text('[tool.checkpointing.lint]\nexclude = ["main.py"]\n')
    assert lint(project).returncode == 0
    (project / "pyproject.toml").write_text('[tool.checkpointing.lint]\nselct = ["CKP1"]\n')
    bad = lint(project)
    assert bad.returncode == 2 and "unknown key(s) selct" in bad.stderr


def test_syntax_error_among_good_files(project: Path) -> None:
    (project / "broken.py").write_text("def f(:\n    pass\n")
    out = lint(project)
    lines = out.stdout.splitlines()
    assert lines[0].startswith("broken.py:1:7: CKP900 syntax error")
    assert len(codes(out)) == 4 and out.returncode == 1


def test_skips_virtual_environments_and_build_directories(project: Path) -> None:
    for folder in (".venv/lib", "build", "site-packages", "env"):
        (project / folder).mkdir(parents=True, exist_ok=True)
        (project / folder / "bad.py").write_text("def f(:\n")
    (project / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    assert "CKP900" not in lint(project).stdout
    assert "CKP900" in lint(project, "build/bad.py").stdout  # named explicitly: linted


def test_help_describes_every_option_and_rule() -> None:
    out = subprocess.run([sys.executable, "-m", "checkpointing", "lint", "--help"], capture_output=True, text=True)
    for option in ("--format", "--select", "--ignore", "--exclude", "--exit-zero", "--statistics", "--config"):
        assert option in out.stdout
    for rule in RULES:
        assert rule.code in out.stdout and rule.name in out.stdout


def test_a_project_declares_its_own_input_readers(tmp_path: Path) -> None:
    """``inputs`` in [tool.checkpointing.lint] adds the project's (or a library's) own readers to
    CKP104's table, by qualified name or pattern; a malformed value is a usage error."""
    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "__init__.py").write_text("")
    (tmp_path / "lab" / "io.py").write_text("def fetch_run(n):\n    return n\n\n\ndef helper(n):\n    return n\n")
    (tmp_path / "main.py").write_text(textwrap.dedent("""\
        import labdb
        from checkpointing import checkpoint
        from lab.io import fetch_run, helper


        @checkpoint(deep=True)
        def run(n):
            return fetch_run(n), helper(n), labdb.query(n), labdb.version()
        """))
    assert lint(tmp_path, "--select", "CKP104").returncode == 0
    (tmp_path / "pyproject.toml").write_text(
        '[tool.checkpointing.lint]\ninputs = ["lab.io.fetch_run", "labdb.q*"]\n')
    out = lint(tmp_path, "--select", "CKP104", "--format", "json")
    assert out.returncode == 1, out.stderr
    found = [(f["line"], f["message"].split("`")[1]) for f in json.loads(out.stdout)]
    assert found == [(8, "lab.io.fetch_run(...)"), (8, "labdb.query(...)")]
    (tmp_path / "pyproject.toml").write_text('[tool.checkpointing.lint]\ninputs = "lab.io.fetch_run"\n')
    bad = lint(tmp_path)
    assert bad.returncode == 2 and "inputs must be a list of qualified names" in bad.stderr


def test_names_that_cannot_be_resolved_are_listed_not_passed_over(tmp_path: Path) -> None:
    """A first-party package outside the linted paths: its code cannot be checked, and the report
    says so (and which names) instead of a bare "All checks passed"."""
    (tmp_path / "app").mkdir()
    (tmp_path / "libs" / "brachyutils").mkdir(parents=True)
    (tmp_path / "libs" / "brachyutils" / "__init__.py").write_text(
        "class BrachyDicom:\n    def __init__(self, path):\n        self.path = path\n")
    (tmp_path / "app" / "main.py").write_text(textwrap.dedent("""\
        import numpy as np
        from brachyutils import BrachyDicom
        from checkpointing import checkpoint


        @checkpoint(deep=True)
        def load(path):
            return BrachyDicom(path), np.zeros(3)
        """))
    out = lint(tmp_path, "app")
    assert out.returncode == 0, out.stdout
    assert "note: 1 name used by checkpointed code could not be resolved" in out.stdout
    assert "brachyutils.BrachyDicom" in out.stdout and "numpy" not in out.stdout
    assert out.stdout.splitlines()[-1].startswith("No problems found in what could be read and resolved")
    sarif = json.loads(lint(tmp_path, "app", "--format", "sarif").stdout)
    [notice] = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert "brachyutils.BrachyDicom" in notice["message"]["text"]
    as_json = lint(tmp_path, "app", "--format", "json")
    assert json.loads(as_json.stdout) == [] and "brachyutils.BrachyDicom" in as_json.stderr
    assert "::warning" in lint(tmp_path, "app", "--format", "github").stdout
    both = lint(tmp_path, "app", "libs")
    assert "could not be resolved" not in both.stdout and "All checks passed" in both.stdout


CHAINED = {
    "pipeline/__init__.py": "",
    "pipeline/io.py": textwrap.dedent("""\
        import pandas as pd


        def load_table(path):
            return pd.read_sql(path, "sqlite:///lab.db")


        class Registry:
            def get(self, name):
                return open(name).read()
        """),
    "pipeline/steps.py": textwrap.dedent("""\
        from checkpointing import checkpoint

        from .io import load_table


        def clean(path):
            return load_table(path).dropna()


        @checkpoint(deep=True)
        def train(path, options):
            return clean(path), options.get("alpha")


        @checkpoint(deep=True)
        def evaluate(path):
            return load_table(path).describe()
        """),
}


def test_a_finding_in_shared_code_names_every_function_and_the_shortest_chain(tmp_path: Path) -> None:
    """One finding for the line, attributed to every checkpointed function reaching it, with the
    shortest call chain; `options.get(...)` on a dict parameter is not linked to `Registry.get`."""
    for name, text in CHAINED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    out = lint(tmp_path, "--format", "json")
    [finding] = json.loads(out.stdout)
    assert (finding["path"], finding["line"], finding["code"]) == ("pipeline/io.py", 5, "CKP104")
    assert finding["chain"] == ["train", "clean", "load_table"]
    assert finding["functions"] == [{"function": "train", "module": "pipeline.steps"},
                                    {"function": "evaluate", "module": "pipeline.steps"}]
    text = lint(tmp_path).stdout
    assert "(in `load_table`, reached by train -> clean -> load_table); also reached from `evaluate`" in text
    shallow = lint(tmp_path, "--max-depth", "1")  # load_table is two calls from train
    assert codes(shallow) == [] and "note: 1 more finding for `train` not shown" in shallow.stdout
    sarif = json.loads(lint(tmp_path, "--format", "sarif").stdout)
    [result] = sarif["runs"][0]["results"]
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [(s["location"]["message"]["text"], s["location"]["physicalLocation"]["region"]["startLine"])
            for s in steps] == [("train", 11), ("clean", 6), ("load_table", 4)]


def test_findings_per_function_are_limited_and_the_rest_counted(tmp_path: Path) -> None:
    body = "".join(f"    t{i} = time.time()\n" for i in range(30))
    (tmp_path / "main.py").write_text("import time\n\nfrom checkpointing import checkpoint\n\n\n@checkpoint\n"
                                      "def stamp():\n" + body + "    return t0\n")
    out = lint(tmp_path)
    assert len(codes(out)) == 20
    assert "note: 10 more findings for `stamp` not shown (--max-findings-per-function 0 and --max-depth 0 show all)." \
        in out.stdout
    assert "Found 20 problems" in out.stdout
    assert len(codes(lint(tmp_path, "--max-findings-per-function", "0"))) == 30
    assert len(codes(lint(tmp_path, "--max-findings-per-function", "5"))) == 5
    (tmp_path / "pyproject.toml").write_text("[tool.checkpointing.lint]\nmax-findings-per-function = 3\n")
    assert len(codes(lint(tmp_path))) == 3
    assert lint(tmp_path, "--max-findings-per-function", "-1").returncode == 2


def test_other_caching_decorators_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(textwrap.dedent("""\
        import time

        import joblib

        memory = joblib.Memory("cache")


        @memory.cache
        def stamp(x):
            return x, time.time()
        """))
    assert lint(tmp_path).returncode == 0  # not a checkpointed function
    out = lint(tmp_path, "--decorator", "joblib.Memory.cache")
    assert codes(out) == ["CKP103"] and "1 checkpointed function checked" in out.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.checkpointing.lint]\ndecorators = "joblib.Memory.cache"\n')
    bad = lint(tmp_path)
    assert bad.returncode == 2 and "decorators must be a list of qualified names" in bad.stderr


def test_one_finding_per_helper_and_per_method_of_an_argument(tmp_path: Path) -> None:
    calls = "".join(f"    total += helpers.clean(x) + model.predict(x) + model.predict(x + {i})\n" for i in range(26))
    (tmp_path / "helpers.py").write_text("def clean(x):\n    return x\n\n\nclass M:\n    def predict(self, x):\n"
                                         "        return x\n")
    (tmp_path / "main.py").write_text("import helpers\nfrom checkpointing import checkpoint\n\n\n@checkpoint\n"
                                      "def run(x, model):\n    total = 0\n" + calls + "    return total\n")
    out = lint(tmp_path)
    assert codes(out) == ["CKP001", "CKP002"], out.stdout


def test_a_variable_made_from_itself_is_not_followed_forever(tmp_path: Path) -> None:
    """``config = config.copy()`` at module level (found linting scikit-learn with --decorator)."""
    (tmp_path / "main.py").write_text("import functools\n\nconfig = {}\nconfig = config.copy()\n\n\n"
                                      "@config.cache\ndef f(x):\n    return x\n\n\n@functools.cache\ndef g(x):\n"
                                      "    return x\n")
    out = lint(tmp_path, "--decorator", "functools.cache", "--decorator", "dict.cache")
    assert out.returncode == 0 and "1 checkpointed function checked" in out.stdout, out.stderr


def test_a_misspelt_decorator_and_nothing_found_are_never_an_all_clear(tmp_path: Path) -> None:
    """Silence reads as "safe" in CI: a decorator that matches nothing is named, and a run that
    found no checkpointed function says that nothing was checked."""
    (tmp_path / "m.py").write_text("import joblib\nmemory = joblib.Memory('c')\n\n\n@memory.cache\ndef f(x):\n"
                                   "    return open(x).read()\n")
    misspelt = lint(tmp_path, "--decorator", "joblib.Memory.cach")
    assert "the decorator `joblib.Memory.cach` matched no function" in misspelt.stdout
    assert misspelt.stdout.splitlines()[-1] == "No checkpointed function found (1 file): nothing was checked."
    assert "All checks passed" not in misspelt.stdout
    sarif = json.loads(lint(tmp_path, "--decorator", "joblib.Memory.cach", "--format", "sarif").stdout)
    [notice] = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert "joblib.Memory.cach" in notice["message"]["text"]
    right = lint(tmp_path, "--decorator", "joblib.Memory.cache")
    assert right.returncode == 1 and "matched no function" not in right.stdout
