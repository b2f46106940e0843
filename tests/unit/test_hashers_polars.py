"""``checkpointing/hashers/polars_object.py``: polars frames and series keyed by their logical
content: one key however they are chunked, another for every logical change."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkpointing import hash_anything

pl = pytest.importorskip("polars")
pytest.importorskip("pyarrow")

COLUMN = st.lists(st.one_of(st.none(), st.integers(-1000, 1000)), min_size=2, max_size=12)


@settings(max_examples=60, deadline=None)
@given(COLUMN, st.lists(st.text(max_size=4), min_size=2, max_size=12), st.integers(1, 11))
def test_chunking_is_not_content(numbers, words, cut) -> None:
    n = min(len(numbers), len(words))
    frame = pl.DataFrame({"n": numbers[:n], "w": words[:n]})
    cut = cut % n or 1
    chunked = pl.concat([frame[:cut], frame[cut:]], rechunk=False)
    assert hash_anything(chunked) == hash_anything(frame) == hash_anything(chunked.rechunk())
    assert hash_anything(chunked["n"]) == hash_anything(frame["n"])


@settings(max_examples=60, deadline=None)
@given(COLUMN, st.integers(0, 11))
def test_every_logical_change_is_another_key(numbers, where) -> None:
    frame = pl.DataFrame({"n": numbers})
    changed = list(numbers)
    i = where % len(numbers)
    changed[i] = None if numbers[i] is not None else 0
    assert hash_anything(pl.DataFrame({"n": changed})) != hash_anything(frame)
    assert hash_anything(frame.rename({"n": "m"})) != hash_anything(frame)
    assert hash_anything(frame.with_columns(pl.col("n").cast(pl.Int32))) != hash_anything(frame)
    assert hash_anything(frame["n"].alias("m")) != hash_anything(frame["n"])
