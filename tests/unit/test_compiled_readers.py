"""``analysis/compiled_readers.py``: which readers of files the runtime sees. The table is a
claim the lint relies on (CKP104 stops reporting what the runtime records), so every reader it
says is seen is run here, when its library is installed, inside a record of a computation's
inputs, and the file it read must be among them."""

from __future__ import annotations

import bz2
import fnmatch
import gzip
import importlib.util
import lzma
import os
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

from checkpointing import _inputs
from checkpointing.analysis import compiled_readers
from checkpointing.analysis.compiled_readers import OPEN_READERS, seen_at_run_time, watched
from checkpointing.analysis.lint import knowledge


def test_every_reader_the_lint_knows_is_classified() -> None:
    """A reader of the lint's table is seen (through ``open`` or watched) or named as unseen: none
    is left to a default by accident. (A pattern such as ``pandas.read_*`` is matched by concrete
    names, and a concrete name in no table is unseen: the lint reports it.)"""
    for category in ("file", "listing"):
        for name in knowledge.INPUTS[category]:
            if "*" in name:
                continue
            unseen = any(fnmatch.fnmatchcase(name, p) for p in compiled_readers.UNSEEN_READERS)
            assert seen_at_run_time(name) != unseen, name


def test_what_no_table_names_is_not_seen() -> None:
    assert not seen_at_run_time("mylab.io.fetch_run")
    assert not seen_at_run_time("polars.read_parquet") and not seen_at_run_time("pandas.read_sql_query")
    assert seen_at_run_time("pandas.read_csv") and seen_at_run_time("pyarrow.parquet.read_table")


def test_watched_readers_are_found_by_their_qualified_name() -> None:
    assert watched("pyarrow.parquet.read_table") == "read_table"
    assert watched("h5py.File") == "File.__init__"
    assert watched("pandas.HDFStore") == "HDFStore.__init__"
    assert watched("pandas.read_csv") is None and watched("os.listdir") is None


def _text(folder: Path) -> Path:
    path = folder / "table.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    return path


def _archive(folder: Path, kind: str) -> Path:
    path = folder / f"data.{kind}"
    if kind in ("gz", "bz2", "xz"):
        opener: Any = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open}[kind]
        with opener(path, "wb") as f:
            f.write(b"payload")
    elif kind == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("inner.txt", "payload")
    else:
        inner = _text(folder)
        with tarfile.open(path, "w") as t:
            t.add(inner, arcname="inner.csv")
    return path


def _numpy(folder: Path, kind: str) -> Path:
    import numpy as np

    path = folder / f"array.{kind}"
    if kind == "npy":
        np.save(path, np.arange(4.0))
    else:
        np.arange(4.0).tofile(path)
    return path


def _pickle(folder: Path) -> Path:
    import pickle

    path = folder / "value.pkl"
    path.write_bytes(pickle.dumps({"a": [1, 2]}))
    return path


def _frame() -> Any:
    import pandas as pd

    return pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]})


def _written(folder: Path, name: str, write: Callable[[Path], Any]) -> Path:
    path = folder / name
    write(path)
    return path


#: qualified name -> (make the file in a folder, read it): each run inside a record
PROBES: Dict[str, Any] = {
    "builtins.open": (_text, lambda p: open(p).read()),
    "io.open": (_text, lambda p: __import__("io").open(p).read()),
    "codecs.open": (_text, lambda p: __import__("codecs").open(p).read()),
    "json.load": (lambda d: _written(d, "v.json", lambda p: p.write_text('{"a": 1}')),
                  lambda p: __import__("json").load(open(p))),
    "pickle.load": (_pickle, lambda p: __import__("pickle").load(open(p, "rb"))),
    "marshal.load": (lambda d: _written(d, "v.marshal", lambda p: p.write_bytes(__import__("marshal").dumps([1]))),
                     lambda p: __import__("marshal").load(open(p, "rb"))),
    "csv.reader": (_text, lambda p: list(__import__("csv").reader(open(p)))),
    "csv.DictReader": (_text, lambda p: list(__import__("csv").DictReader(open(p)))),
    "configparser.ConfigParser.read": (lambda d: _written(d, "s.ini", lambda p: p.write_text("[s]\na = 1\n")),
                                       lambda p: __import__("configparser").ConfigParser().read(p)),
    "tomllib.load": (lambda d: _written(d, "s.toml", lambda p: p.write_text("a = 1\n")),
                     lambda p: __import__("tomllib").load(open(p, "rb"))),
    "tomli.load": (lambda d: _written(d, "s.toml", lambda p: p.write_text("a = 1\n")),
                   lambda p: __import__("tomli").load(open(p, "rb"))),
    "dotenv.load_dotenv": (lambda d: _written(d, ".env", lambda p: p.write_text("CKPT_PROBE=1\n")),
                           lambda p: __import__("dotenv").load_dotenv(p, override=False)),
    "dotenv.dotenv_values": (lambda d: _written(d, ".env", lambda p: p.write_text("CKPT_PROBE=1\n")),
                             lambda p: __import__("dotenv").dotenv_values(p)),
    "PIL.Image.open": (lambda d: _written(d, "i.png", lambda p: __import__("PIL.Image").Image.new("RGB", (2, 2)).save(p)),
                       lambda p: __import__("PIL.Image").Image.open(p).load()),
    "yaml.load": (lambda d: _written(d, "s.yaml", lambda p: p.write_text("a: 1\n")),
                  lambda p: __import__("yaml").load(open(p), Loader=__import__("yaml").SafeLoader)),
    "yaml.safe_load": (lambda d: _written(d, "s.yaml", lambda p: p.write_text("a: 1\n")),
                       lambda p: __import__("yaml").safe_load(open(p))),
    "pathlib.Path.read_text": (_text, lambda p: Path(p).read_text()),
    "pathlib.Path.read_bytes": (_text, lambda p: Path(p).read_bytes()),
    "pathlib.Path.open": (_text, lambda p: Path(p).open().read()),
    "numpy.load": (lambda d: _numpy(d, "npy"), lambda p: __import__("numpy").load(p)),
    "numpy.loadtxt": (_text, lambda p: __import__("numpy").loadtxt(p, delimiter=",", skiprows=1)),
    "numpy.genfromtxt": (_text, lambda p: __import__("numpy").genfromtxt(p, delimiter=",", skip_header=1)),
    "numpy.fromfile": (lambda d: _numpy(d, "raw"), lambda p: __import__("numpy").fromfile(p)),
    "numpy.memmap": (lambda d: _numpy(d, "raw"), lambda p: __import__("numpy").memmap(p, mode="r").sum()),
    "pandas.read_csv": (_text, lambda p: __import__("pandas").read_csv(p)),
    "pandas.read_table": (_text, lambda p: __import__("pandas").read_table(p, sep=",")),
    "pandas.read_fwf": (_text, lambda p: __import__("pandas").read_fwf(p)),
    "pandas.read_json": (lambda d: _written(d, "f.json", lambda p: _frame().to_json(p)),
                         lambda p: __import__("pandas").read_json(p)),
    "pandas.read_pickle": (lambda d: _written(d, "f.pkl", lambda p: _frame().to_pickle(p)),
                           lambda p: __import__("pandas").read_pickle(p)),
    "pandas.read_stata": (lambda d: _written(d, "f.dta", lambda p: _frame().to_stata(p, write_index=False)),
                          lambda p: __import__("pandas").read_stata(p)),
    "pandas.read_xml": (lambda d: _written(d, "f.xml", lambda p: p.write_text(
        "<data><row><a>1</a></row><row><a>2</a></row></data>")),
                        lambda p: __import__("pandas").read_xml(p, parser="etree")),
    "joblib.load": (_pickle, lambda p: __import__("joblib").load(p)),
    "scipy.io.loadmat": (lambda d: _written(d, "m.mat", lambda p: __import__("scipy.io").io.savemat(p, {"x": [1]})),
                         lambda p: __import__("scipy.io").io.loadmat(p)),
    "scipy.io.wavfile.read": (lambda d: _written(d, "s.wav", lambda p: __import__("scipy.io.wavfile").io.wavfile.write(
        p, 8000, __import__("numpy").zeros(8, dtype="int16"))),
                              lambda p: __import__("scipy.io.wavfile").io.wavfile.read(p)),
    "gzip.open": (lambda d: _archive(d, "gz"), lambda p: gzip.open(p).read()),
    "bz2.open": (lambda d: _archive(d, "bz2"), lambda p: bz2.open(p).read()),
    "lzma.open": (lambda d: _archive(d, "xz"), lambda p: lzma.open(p).read()),
    "zipfile.ZipFile": (lambda d: _archive(d, "zip"), lambda p: zipfile.ZipFile(p).read("inner.txt")),
    "tarfile.open": (lambda d: _archive(d, "tar"), lambda p: tarfile.open(p).getnames()),
    "os.listdir": (lambda d: d, os.listdir),
    "os.scandir": (lambda d: d, lambda p: list(os.scandir(p))),
    "os.walk": (lambda d: d, lambda p: list(os.walk(p))),
    "glob.glob": (lambda d: d, lambda p: __import__("glob").glob(os.path.join(p, "*"))),
    "glob.iglob": (lambda d: d, lambda p: list(__import__("glob").iglob(os.path.join(p, "*")))),
    "pathlib.Path.glob": (lambda d: d, lambda p: list(Path(p).glob("*"))),
    "pathlib.Path.rglob": (lambda d: d, lambda p: list(Path(p).rglob("*"))),
    "pathlib.Path.iterdir": (lambda d: d, lambda p: list(Path(p).iterdir())),
    "pathlib.Path.walk": (lambda d: d, lambda p: list(Path(p).walk())),
    # compiled readers, watched
    "pandas.read_parquet": (lambda d: _written(d, "f.parquet", lambda p: _frame().to_parquet(p)),
                            lambda p: __import__("pandas").read_parquet(p)),
    "pandas.read_feather": (lambda d: _written(d, "f.feather", lambda p: _frame().to_feather(p)),
                            lambda p: __import__("pandas").read_feather(p)),
    "pyarrow.parquet.read_table": (lambda d: _written(d, "f.parquet", lambda p: _frame().to_parquet(p)),
                                   lambda p: __import__("pyarrow.parquet").parquet.read_table(p)),
    "pyarrow.parquet.ParquetFile": (lambda d: _written(d, "f.parquet", lambda p: _frame().to_parquet(p)),
                                    lambda p: __import__("pyarrow.parquet").parquet.ParquetFile(p).read()),
    "pyarrow.csv.read_csv": (_text, lambda p: __import__("pyarrow.csv").csv.read_csv(p)),
    "pyarrow.dataset.dataset": (lambda d: _written(d, "f.parquet", lambda p: _frame().to_parquet(p)),
                                lambda p: __import__("pyarrow.dataset").dataset.dataset(p).to_table()),
    "h5py.File": (lambda d: _written(d, "f.h5", lambda p: __import__("h5py").File(p, "w").create_dataset(
        "x", data=[1, 2]).file.close()), lambda p: __import__("h5py").File(p, "r")["x"][:]),
}

#: readers the table names whose library may be installed but that cannot be probed here: why
NOT_PROBED = {
    "pandas.read_excel": "needs openpyxl to write a workbook", "pandas.ExcelFile": "needs openpyxl",
    "pandas.read_sas": "no writer of SAS files exists",
    "yaml.full_load": "as yaml.load", "yaml.unsafe_load": "as yaml.load",
}


def _installed(name: str) -> bool:
    top = name.split(".")[0]
    return top == "builtins" or importlib.util.find_spec(top) is not None


#: the readers probed: those of the tables whose library is installed here
PROBED = [name for name in PROBES if _installed(name)]


@pytest.mark.parametrize("name", PROBED)
def test_a_reader_the_table_calls_seen_is_recorded(name: str, tmp_path: Path) -> None:
    assert seen_at_run_time(name), name
    if name == "pathlib.Path.walk" and sys.version_info < (3, 12):
        pytest.skip("Path.walk is new in 3.12")
    if name == "tomllib.load" and sys.version_info < (3, 11):
        pytest.skip("tomllib is new in 3.11")
    make, read = PROBES[name]
    folder = tmp_path / "data"
    folder.mkdir()
    path = make(folder)
    with _inputs.InputRecord() as record:
        read(str(path))
    recorded = {os.path.abspath(where) for where, _ in record.read}
    assert os.path.abspath(path) in recorded, f"{name} read {path}, but the record has {sorted(recorded)}"


def test_every_installed_reader_said_to_open_files_through_open_has_a_probe() -> None:
    """A reader added to ``OPEN_READERS`` is proved seen here when its library is installed."""
    missing = [n for n in OPEN_READERS if "*" not in n and _installed(n) and n not in PROBES and n not in NOT_PROBED]
    assert not missing, missing
