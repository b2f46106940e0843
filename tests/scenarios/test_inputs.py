"""The files a computation reads are part of what its entry depends on (checkpointing/_inputs.py):
a hit checks them first. Each program runs in fresh processes; every served value is compared
with an uncached run of the same files (see run_edits)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Project, run_edits

MODES = pytest.mark.parametrize("decorator", ["@checkpoint(deep=True)", "@checkpoint()"], ids=["deep", "default"])

CSV = "a,b\n1,2\n3,4\n"

READS_CSV = '''
from checkpointing import checkpoint


{decorator}
def total(path):
    print("RUN")
    with open(path) as f:
        rows = [line.strip().split(",") for line in f][1:]
    return sum(int(a) * int(b) for a, b in rows)


if __name__ == "__main__":
    print("OUT", total("data/raw.csv"))
'''


@MODES
def test_a_file_edited_in_place_recomputes_and_a_touched_one_is_served(project: Project, decorator: str) -> None:
    run_edits(project, "csv", {"main.py": READS_CSV.format(decorator=decorator), "data/raw.csv": CSV}, [
        ("data/raw.csv", "3,4", "3,5", "rerun"),  # the same size, a new modification time
        ("data/raw.csv", "3,5", "3,5", "skip"),  # written again with the same bytes
        ("data/raw.csv", "1,2", "10,2", "rerun"),  # another size
    ])


def test_the_reason_names_the_file(project: Project) -> None:
    explain = "import main\nprint('OUT', main.total.explain('data/raw.csv'))\n"
    project.write({"main.py": READS_CSV.format(decorator="@checkpoint()"), "data/raw.csv": CSV, "explain.py": explain})
    project.run()
    assert "served from the cache" in project.run("explain.py").out[0]
    project.write({"data/raw.csv": CSV.replace("3,4", "3,5")})
    assert "recomputed because input `data/raw.csv` changed" in project.run("explain.py").out[0]
    assert project.run().ran


def test_a_deleted_input_recomputes(project: Project) -> None:
    main = '''
import os
from checkpointing import checkpoint


@checkpoint()
def settings(path):
    print("RUN")
    if not os.path.exists(path):
        return "defaults"
    with open(path) as f:
        return f.read().strip()


if __name__ == "__main__":
    print("OUT", settings("settings.txt"))
'''
    project.write({"main.py": main, "settings.txt": "fast\n"})
    assert project.run().out == ["fast"]
    assert project.run().skipped
    os.remove(project.root / "settings.txt")
    run = project.run()
    assert run.ran and run.out == ["defaults"]


@MODES
def test_a_folder_listed_recomputes_when_a_file_is_added(project: Project, decorator: str) -> None:
    main = f'''
import glob
from checkpointing import checkpoint


{decorator}
def count_rows(folder):
    print("RUN")
    return sum(len(open(p).read().splitlines()) for p in sorted(glob.glob(folder + "/*.csv")))


if __name__ == "__main__":
    print("OUT", count_rows("data"))
'''
    project.write({"main.py": main, "data/2024-01.csv": "1\n2\n"})
    assert project.run().out == ["2"]
    assert project.run().skipped
    project.write({"data/2024-02.csv": "3\n"})
    run = project.run()
    assert run.ran and run.out == ["3"]
    assert project.run().skipped


def test_a_config_read_by_a_helper_two_calls_deep(project: Project) -> None:
    files = {
        "main.py": '''
from checkpointing import checkpoint

from pipeline import run


@checkpoint()
def experiment(n):
    print("RUN")
    return run(n)


if __name__ == "__main__":
    print("OUT", experiment(3))
''',
        "pipeline.py": '''
import json


def settings():
    with open("config.json") as f:
        return json.load(f)


def scale(n):
    return n * settings()["factor"]


def run(n):
    return scale(n) + 1
''',
        "config.json": '{"factor": 2}\n',
    }
    run_edits(project, "config two calls deep", files, [
        ("config.json", '"factor": 2', '"factor": 5', "rerun"),
    ])


def test_a_parquet_file_read_by_pandas(project: Project) -> None:
    pytest.importorskip("pyarrow")
    main = '''
import sys

import pandas as pd
from checkpointing import checkpoint


@checkpoint()
def column_sum(path):
    print("RUN")
    return int(pd.read_parquet(path)["a"].sum())


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"]:
        pd.DataFrame({"a": list(range(int(sys.argv[2])))}).to_parquet("data.parquet")
    else:
        print("OUT", column_sum("data.parquet"))
'''
    project.write({"main.py": main})
    project.run(args=["write", "5"])
    assert project.run().out == ["10"]
    assert project.run().skipped
    project.run(args=["write", "6"])
    run = project.run()
    assert run.ran and run.out == ["15"]


def test_an_hdf5_file_read_through_h5py(project: Project) -> None:
    pytest.importorskip("h5py")
    main = '''
import sys

import h5py
from checkpointing import checkpoint


@checkpoint()
def total(path):
    print("RUN")
    with h5py.File(path, "r") as f:
        return float(f["x"][()].sum())


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"]:
        with h5py.File("data.h5", "w") as f:
            f["x"] = list(range(int(sys.argv[2])))
    else:
        print("OUT", total("data.h5"))
'''
    project.write({"main.py": main})
    project.run(args=["write", "4"])
    assert project.run().out == ["6.0"]
    assert project.run().skipped
    project.run(args=["write", "5"])
    run = project.run()
    assert run.ran and run.out == ["10.0"]


def test_files_read_in_a_thread_pool_inside_the_function(project: Project) -> None:
    main = '''
from concurrent.futures import ThreadPoolExecutor

from checkpointing import checkpoint


def size(path):
    with open(path) as f:
        return len(f.read())


@checkpoint()
def sizes(paths):
    print("RUN")
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(size, paths))


if __name__ == "__main__":
    print("OUT", sizes(["a.txt", "b.txt"]))
'''
    run_edits(project, "thread pool", {"main.py": main, "a.txt": "aaa\n", "b.txt": "bb\n"}, [
        ("b.txt", "bb", "bbbb", "rerun"),
    ])


def test_an_input_read_by_a_nested_hit_counts_for_the_outer_computation(project: Project) -> None:
    main = '''
import sys

from checkpointing import checkpoint


@checkpoint()
def load(path):
    print("RUN")
    with open(path) as f:
        return f.read().strip()


@checkpoint()
def report(path, suffix):
    print("RUN")
    return load(path) + suffix


if __name__ == "__main__":
    print("OUT", load("in.txt"), report("in.txt", sys.argv[1]))
'''
    project.write({"main.py": main, "in.txt": "v1\n"})
    project.run(args=["!"])  # load computes; report computes, load served inside it
    project.run(args=["?"])  # report("?") computes with load served: its input is in.txt too
    project.write({"in.txt": "v2\n"})
    run = project.run(args=["?"])
    assert run.out == ["v2 v2?"]


def test_files_the_computation_wrote_itself_and_ignored_paths_are_not_inputs(project: Project) -> None:
    main = '''
from checkpointing import checkpoint


@checkpoint(inputs_ignore=["logs/*"])
def work(n):
    print("RUN")
    with open("scratch.txt", "w") as f:
        f.write(str(n))
    with open("scratch.txt") as f:
        value = int(f.read())
    with open("logs/run.log") as f:
        f.read()
    return value * 2


if __name__ == "__main__":
    print("OUT", work(4))
'''
    project.write({"main.py": main, "logs/run.log": "start\n"})
    assert project.run().out == ["8"]
    (project.root / "scratch.txt").write_text("999")
    project.write({"logs/run.log": "another line\n"})
    assert project.run().skipped


def test_inputs_can_be_turned_off(project: Project) -> None:
    project.write({"main.py": READS_CSV.format(decorator="@checkpoint(inputs=False)"), "data/raw.csv": CSV})
    assert project.run().out == ["14"]
    project.write({"data/raw.csv": CSV.replace("3,4", "3,5")})
    assert project.run().skipped  # (what the user asked for: the stale value)
    project.write({"main.py": READS_CSV.format(decorator="@checkpoint()")})
    project.write({"data/raw.csv": CSV})
    assert project.run(extra_env={"CHECKPOINTING_INPUTS": "0"}).out == ["14"]


def test_a_bad_inputs_ignore_is_a_clear_error(tmp_path: Path) -> None:
    from checkpointing import checkpoint
    from checkpointing.exceptions import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="list of glob patterns"):
        checkpoint(directory=tmp_path, inputs_ignore="logs/*")


def test_verify_recomputes_a_function_whose_input_was_deleted(project: Project) -> None:
    """Without inputs=False, deleting the file it read makes the call compute again (and fail)."""
    main = '''
from checkpointing import checkpoint


@checkpoint()
def load(path):
    print("RUN")
    with open(path) as f:
        return f.read()


print("OUT", load("data.txt"))
'''
    project.write({"main.py": main, "data.txt": "42"})
    assert project.run().out == ["42"]
    (project.root / "data.txt").unlink()
    run = project.run(check=False)
    assert run.ran and "FileNotFoundError" in run.stderr


def test_checkpointing_info_lists_the_inputs_of_an_entry(project: Project) -> None:
    import json
    import subprocess
    import sys

    project.write({"main.py": READS_CSV.format(decorator="@checkpoint()"), "data/raw.csv": CSV})
    project.run()

    def cli(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "checkpointing", *args], cwd=project.root, env=project.env,
                              capture_output=True, text=True, check=True).stdout

    (entry,) = json.loads(cli("ls", "--format", "json"))
    shown = cli("info", entry["key"])
    assert "inputs       data/raw.csv (12 B, xxh3 " in shown


def test_a_computation_run_while_a_module_is_imported_records_its_reads(project: Project) -> None:
    """The reads of the import system are not inputs; a computation an import runs has its own."""
    files = {
        "main.py": "import analysis\n\nprint('OUT', analysis.RESULT)\n",
        "analysis.py": '''
from checkpointing import checkpoint


@checkpoint()
def load(path):
    print("RUN")
    with open(path) as f:
        return f.read().strip()


RESULT = load("value.txt")
''',
        "value.txt": "1\n",
    }
    run_edits(project, "import time", files, [("value.txt", "1", "2", "rerun")])


def test_after_a_miss_for_an_input_the_next_code_edit_is_explained_by_that_edit(project: Project) -> None:
    """After a miss an input caused, a later edit of the code is explained by the code, not as a
    first run that reads everything (the reasons as the log says them)."""
    main = "import logging\nlogging.basicConfig(level=logging.INFO, format='WHY %(message)s')\n" + \
        READS_CSV.format(decorator="@checkpoint()")
    project.write({"main.py": main, "data/raw.csv": CSV})
    project.run()
    project.write({"data/raw.csv": CSV.replace("3,4", "3,5")})
    assert "recomputed because input `data/raw.csv` changed" in project.run().stderr
    project.write({"main.py": main.replace("int(a) * int(b)", "int(a) + int(b)")})
    reason = project.run().stderr
    assert "the code of `total`" in reason and "now reads" not in reason, reason


def test_a_file_changed_while_the_computation_runs_is_not_served_next_time(project: Project) -> None:
    """Read, then rewritten by another process before the computation ends: the result may come from
    the old bytes, so the entry does not vouch for the new ones."""
    main = '''
import subprocess
import sys

from checkpointing import checkpoint


@checkpoint()
def load(path):
    print("RUN")
    with open(path) as f:
        value = f.read().strip()
    if value == "old":  # another program rewrites it meanwhile
        subprocess.run([sys.executable, "-c", "import os, time; time.sleep(0.01); "
                        "open('data.txt', 'w').write('newer'); os.utime('data.txt')"], check=True)
    return value


print("OUT", load("data.txt"))
'''
    project.write({"main.py": main, "data.txt": "old"})
    assert project.run().out == ["old"]
    run = project.run()
    assert run.ran and run.out == ["newer"]
    assert project.run().skipped


def _cli(project: Project, *args: str, check: bool = True) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-m", "checkpointing", *args], cwd=project.root, env=project.env,
                          capture_output=True, text=True, check=check)


def test_explain_names_the_files_a_hit_was_computed_from(project: Project) -> None:
    explain = "import main\nprint('OUT', main.total.explain('data/raw.csv'))\n"
    project.write({"main.py": READS_CSV.format(decorator="@checkpoint()"), "data/raw.csv": CSV, "explain.py": explain})
    project.run()
    told = project.run("explain.py").out[0]
    assert "served from the cache" in told and "the files its computation read are unchanged: data/raw.csv" in told


def test_verify_names_the_recorded_inputs_of_a_stale_entry(project: Project) -> None:
    """A stale entry whose recorded files are unchanged: the missed input is one the run could not
    see (here the output of another program), and the report says which files were covered."""
    main = '''
import subprocess
import sys

from checkpointing import checkpoint


@checkpoint(deep=True)
def total(path):
    print("RUN")
    with open(path) as f:
        base = int(f.read())
    extra = subprocess.run([sys.executable, "-c", "print(open('hidden.txt').read())"], capture_output=True,
                           text=True).stdout
    return base + int(extra)


print("OUT", total("base.txt"))
'''
    project.write({"main.py": main, "base.txt": "1", "hidden.txt": "5"})
    assert project.run().out == ["6"]
    project.write({"hidden.txt": "7"})
    assert project.run().out == ["6"]  # the read of the child process is not seen: stale, as documented
    done = _cli(project, "verify", "--", sys.executable, "main.py", check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the entry is stale" in done.stdout
    assert "files its computation read, unchanged since it was stored: base.txt" in done.stdout
    assert "a read in a child process" in done.stdout


def test_graph_with_a_store_draws_the_files_each_function_read(project: Project) -> None:
    main = '''
import json
import os

from checkpointing import checkpoint


@checkpoint()
def settings(path):
    with open(path) as f:
        return json.load(f)


@checkpoint()
def listing(folder):
    return sorted(os.listdir(folder))


@checkpoint()
def report(path, folder):
    return settings(path), listing(folder)


print("OUT", report("settings.json", "runs"))
'''
    project.write({"main.py": main, "settings.json": '{"a": 1}', "runs/one.txt": "1"})
    project.run()
    drawn = _cli(project, "graph", "main.py", "--store", ".checkpointing", "--format", "dot").stdout
    assert '"data:settings.json" [label="settings.json"' in drawn and "shape=cylinder" in drawn
    assert '"data:settings.json" -> "main:settings"' in drawn
    assert '"data:runs/" [label="runs/ (listed)"' in drawn and '"data:runs/" -> "main:listing"' in drawn
    # report's entry records them too (its nested hits are re-checked with it), drawn once, at the callee
    assert '-> "main:report"' not in drawn.replace('"main:report" ->', "")


def test_a_partitioned_dataset_folder_given_to_a_compiled_reader(project: Project) -> None:
    """pyarrow reads every file under the folder in C++: each file, in every sub-folder, is an input."""
    pytest.importorskip("pyarrow")
    main = '''
import sys

import pyarrow.dataset
import pyarrow.parquet
import pyarrow as pa
from checkpointing import checkpoint


@checkpoint()
def total(folder):
    print("RUN")
    return int(sum(pyarrow.dataset.dataset(folder, partitioning="hive").to_table()["a"].to_pylist()))


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"]:
        year, values = sys.argv[2], [int(v) for v in sys.argv[3:]]
        import os
        os.makedirs(f"data/year={year}", exist_ok=True)
        pyarrow.parquet.write_table(pa.table({"a": values}), f"data/year={year}/part-0.parquet")
    else:
        print("OUT", total("data"))
'''
    project.write({"main.py": main})
    project.run(args=["write", "2023", "1", "2"])
    project.run(args=["write", "2024", "3"])
    assert project.run().out == ["6"]
    assert project.run().skipped
    project.run(args=["write", "2024", "30"])  # a file in a sub-folder rewritten
    run = project.run()
    assert run.ran and run.out == ["33"]
    project.run(args=["write", "2025", "100"])  # a new partition
    run = project.run()
    assert run.ran and run.out == ["133"]


def test_ignored_paths_inside_a_dataset_folder_are_not_inputs(project: Project) -> None:
    """``inputs_ignore`` applies to the files under a folder given to a compiled reader too."""
    pytest.importorskip("pyarrow")
    main = '''
import pyarrow.dataset
from checkpointing import checkpoint


@checkpoint(inputs_ignore=["data/_logs/*"])
def total(folder):
    print("RUN")
    return int(sum(pyarrow.dataset.dataset(folder, format="csv", exclude_invalid_files=False,
                                           ignore_prefixes=["_"]).to_table()["a"].to_pylist()))


if __name__ == "__main__":
    print("OUT", total("data"))
'''
    project.write({"main.py": main, "data/part.csv": "a\n1\n2\n", "data/_logs/run.log": "one\n"})
    assert project.run().out == ["3"]
    project.write({"data/_logs/run.log": "two lines\n"})  # ignored, and not data the reader reads
    assert project.run().skipped
    project.write({"data/part.csv": "a\n1\n5\n"})
    run = project.run()
    assert run.ran and run.out == ["6"]
