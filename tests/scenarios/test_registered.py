"""User code stored in a library's state (checkpointing/_registered.py): in deep mode, a call
that reaches the library reruns when that code is edited, and a call that does not reach the
library is served. Each program also runs twice in fresh processes unchanged (served), in both
modes (see run_edits)."""

from __future__ import annotations

from tests.helpers import Project, run_edits


def test_a_method_assigned_onto_a_library_class(project: Project) -> None:
    main = '''
import json
from checkpointing import checkpoint


class Point:
    def __init__(self, x):
        self.x = x


def encode_point(self, o):
    return {"x": o.x}


json.JSONEncoder.default = encode_point


@checkpoint(deep=True)
def dump(n):
    print("RUN")
    return json.dumps([Point(n)])


@checkpoint(deep=True)
def total(n):
    print("RUN")
    return sum(range(n))


if __name__ == "__main__":
    print("OUT", dump(3), total(4))
'''
    run_edits(project, "JSONEncoder.default", {"main.py": main}, [
        ("main.py", 'return {"x": o.x}', 'return {"x": o.x * 2}', "rerun"),
        ("main.py", 'return {"x": o.x * 2}', 'doubled = o.x * 2  # a comment\n    return {"x": doubled}', "skip"),
    ])


def test_a_pandas_accessor_registered_in_another_module(project: Project) -> None:
    accessors = '''
import pandas as pd


@pd.api.extensions.register_dataframe_accessor("stats")
class Stats:
    def __init__(self, frame):
        self._frame = frame

    def total(self):
        return float(self._frame.to_numpy().sum())
'''
    main = '''
import pandas as pd
from checkpointing import checkpoint

import accessors  # noqa: F401  (registers df.stats)


@checkpoint(deep=True)
def summary(n):
    print("RUN")
    return pd.DataFrame({"a": list(range(n))}).stats.total()


@checkpoint(deep=True)
def plain(n):
    print("RUN")
    return n * 2


if __name__ == "__main__":
    print("OUT", summary(4), plain(4))
'''
    run_edits(project, "pandas accessor", {"main.py": main, "accessors.py": accessors}, [
        ("accessors.py", "return float(self._frame.to_numpy().sum())",
         "return float(self._frame.to_numpy().sum()) + 1", "rerun"),
        ("accessors.py", "    def total(self):", "    # the sum of every cell\n    def total(self):", "skip"),
    ])


def test_a_copy_reducer_registered_with_copyreg(project: Project) -> None:
    main = '''
import copy
import copyreg
from checkpointing import checkpoint


class Cell:
    def __init__(self, value):
        self.value = value


def reduce_cell(cell):
    return (Cell, (cell.value,))


copyreg.pickle(Cell, reduce_cell)


@checkpoint(deep=True)
def duplicated(n):
    print("RUN")
    return copy.deepcopy(Cell(n)).value


if __name__ == "__main__":
    print("OUT", duplicated(4))
'''
    run_edits(project, "copyreg", {"main.py": main}, [
        ("main.py", "return (Cell, (cell.value,))", "return (Cell, (cell.value + 1,))", "rerun"),
    ])


def test_a_codec_search_function(project: Project) -> None:
    main = '''
import codecs
from checkpointing import checkpoint


def encode(text, errors="strict"):
    return text.upper().encode("ascii"), len(text)


def decode(data, errors="strict"):
    return bytes(data).decode("ascii"), len(data)


def search(name):
    return codecs.CodecInfo(encode, decode, name="shout") if name == "shout" else None


codecs.register(search)


@checkpoint(deep=True)
def shouted(text):
    print("RUN")
    return text.encode("shout").decode("ascii")


@checkpoint(deep=True)
def counted(text):
    print("RUN")
    return len(text)


if __name__ == "__main__":
    print("OUT", shouted("abc"), counted("abc"))
'''
    run_edits(project, "codecs.register", {"main.py": main}, [
        ("main.py", 'return text.upper().encode("ascii"), len(text)',
         'return text.upper().encode("ascii") + b"!", len(text)', "rerun"),
    ])


def test_a_plugin_table_of_the_standard_library(project: Project) -> None:
    main = '''
import os
import shutil
import tempfile
from checkpointing import checkpoint


def listing(base_name, base_dir, **options):
    names = sorted(os.listdir(base_dir))
    with open(base_name + ".txt", "w") as out:
        out.write(",".join(names))
    return base_name + ".txt"


shutil.register_archive_format("listing", listing)


@checkpoint(deep=True)
def archived(names):
    print("RUN")
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            open(os.path.join(folder, name), "w").close()
        path = shutil.make_archive(os.path.join(folder, "out"), "listing", folder)
        with open(path) as made:
            return made.read()


if __name__ == "__main__":
    print("OUT", archived(["b", "a"]))
'''
    run_edits(project, "shutil.register_archive_format", {"main.py": main}, [
        ("main.py", 'out.write(",".join(names))', 'out.write(";".join(names))', "rerun"),
    ])


def test_a_registration_in_code_the_call_never_reaches_is_not_an_input(project: Project) -> None:
    main = '''
import json
import math
from checkpointing import checkpoint


def encode_set(self, o):
    return sorted(o)


json.JSONEncoder.default = encode_set


@checkpoint(deep=True)
def hypotenuse(a, b):
    print("RUN")
    return math.hypot(a, b)


if __name__ == "__main__":
    print("OUT", hypotenuse(3, 4), json.dumps({1, 2}))
'''
    run_edits(project, "registration not reached", {"main.py": main}, [
        ("main.py", "return sorted(o)", "return sorted(o, reverse=True)", "skip"),
    ])


def test_a_class_registered_with_an_abstract_base_class_of_the_standard_library(project: Project) -> None:
    main = '''
import collections.abc
from checkpointing import checkpoint


class Bag:
    def __init__(self, items):
        self.items = items

    def __getitem__(self, key):
        return self.items[key]

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


collections.abc.Mapping.register(Bag)


@checkpoint(deep=True)
def is_mapping(n):
    print("RUN")
    return isinstance(Bag({"a": n}), collections.abc.Mapping)


if __name__ == "__main__":
    print("OUT", is_mapping(1))
'''
    run_edits(project, "Mapping.register", {"main.py": main}, [
        ("main.py", "collections.abc.Mapping.register(Bag)", "collections.abc.Sequence.register(Bag)", "rerun"),
    ])
