"""Checkpointed functions on worker processes: joblib (loky) and a Dask LocalCluster sharing a store."""

from __future__ import annotations

import os
import pickle
import uuid
from pathlib import Path

import pytest

from tests.helpers import Project

TASKS = """
    import os, time, warnings
    from checkpointing import ExpensiveOverheadWarning, checkpoint

    # what this checks is who computes and what is served: on a loaded machine (the load test's
    # sixteen processes syncing the same disk) a save can take longer than the 0.2 s computation
    warnings.filterwarnings("ignore", category=ExpensiveOverheadWarning)

    MARKS = os.environ["MARKS"]

    @checkpoint(lock=True)
    def slow(x):
        open(os.path.join(MARKS, f"ran-{x}-{os.getpid()}-{time.time_ns()}"), "w").close()
        time.sleep(0.2)
        return x * 10
    """

JOBLIB = """
    from joblib import Parallel, delayed
    from tasks import slow

    if __name__ == "__main__":
        print("OUT", Parallel(n_jobs=2, backend="loky")(delayed(slow)(x) for x in [1, 2, 3, 4, 1, 2, 3, 4]))
    """

DASK = """
    from distributed import Client, LocalCluster
    from tasks import slow

    if __name__ == "__main__":
        with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
            with Client(cluster) as client:
                futures = client.map(slow, [1, 2, 3, 4, 1, 2, 3, 4], pure=False)
                print("OUT", client.gather(futures))
    """


def _run_twice(tmp_path: Path, script: str, env: dict) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    project = Project(tmp_path).write({"tasks.py": TASKS, "main.py": script})
    env = dict(env, MARKS=str(marks))
    first = project.run(extra_env=env)
    assert first.out == ["[10, 20, 30, 40, 10, 20, 30, 40]"], first.stderr
    assert sorted(n.split("-")[1] for n in os.listdir(marks)) == ["1", "2", "3", "4"], "a key was computed twice"
    second = project.run(extra_env=env)
    assert second.out == first.out
    assert len(os.listdir(marks)) == 4, "the second run was not served entirely from the store"


@pytest.mark.parametrize("store", ["directory", "redis"])
def test_joblib_loky_workers(tmp_path: Path, store: str, request) -> None:
    env = {} if store == "directory" else {
        "CHECKPOINTING_STORE": f"{request.getfixturevalue('redis_url')}?prefix=joblib-{uuid.uuid4().hex}:",
        "CHECKPOINTING_SECRET": "the team's secret"}  # a shared store is used only signed
    _run_twice(tmp_path, JOBLIB, env)


@pytest.mark.parametrize("store", ["directory", "redis"])
def test_dask_local_cluster_process_workers(tmp_path: Path, store: str, request) -> None:
    pytest.importorskip("distributed")
    env = {} if store == "directory" else {
        "CHECKPOINTING_STORE": f"{request.getfixturevalue('redis_url')}?prefix=dask-{uuid.uuid4().hex}:",
        "CHECKPOINTING_SECRET": "the team's secret"}  # a shared store is used only signed
    _run_twice(tmp_path, DASK, env)


def test_a_checkpointed_function_pickles_by_reference() -> None:
    from tests.stores import _picklable

    clone = pickle.loads(pickle.dumps(_picklable.double))
    assert clone is _picklable.double
    assert clone.cache_info().function.endswith("_picklable.double")
