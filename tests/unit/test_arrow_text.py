"""Arrow-backed text (pandas 3's ``str`` with pyarrow, ``string[pyarrow]``, ``ArrowDtype``) is
hashed from its buffers: the same strings hash the same however the array is chunked, sliced
or offset (32- or 64-bit), and whatever a missing entry's slot holds."""

import pandas as pd
import pytest

from checkpointing import hash_anything

pa = pytest.importorskip("pyarrow")
ArrowStringArray = pd.arrays.ArrowStringArray

WORDS = ["alpha", "", None, "γδ", "e" * 300, None, "z"]


def _arrow(chunked):
    return ArrowStringArray(chunked)


def test_the_same_strings_hash_the_same_however_they_are_stored():
    one_chunk = _arrow(pa.chunked_array([pa.array(WORDS, type=pa.large_string())]))
    chunked = _arrow(pa.chunked_array([pa.array(WORDS[:2], type=pa.large_string()),
                                       pa.array(WORDS[2:5], type=pa.large_string()),
                                       pa.array(WORDS[5:], type=pa.large_string())]))
    sliced = _arrow(pa.chunked_array([pa.array(["junk", *WORDS, "more"], type=pa.large_string()).slice(1, len(WORDS))]))
    narrow = _arrow(pa.chunked_array([pa.array(WORDS, type=pa.string())]))
    digests = {hash_anything(pd.Series(a, name="w")) for a in (one_chunk, chunked, sliced, narrow)}
    assert len(digests) == 1
    assert hash_anything(pd.Series(one_chunk, name="w")) == hash_anything(
        pd.Series(pd.array(WORDS, dtype="string[pyarrow]"), name="w"))


def test_what_a_missing_entry_holds_is_not_data():
    data = pa.py_buffer(b"abXY")
    offsets = pa.py_buffer(pa.array([0, 2, 4], type=pa.int32()).buffers()[1])
    validity = pa.py_buffer(bytes([0b01]))  # the second entry is missing; its slot holds "XY"
    garbage = pa.Array.from_buffers(pa.string(), 2, [validity, offsets, data], null_count=1)
    clean = pa.array(["ab", None], type=pa.string())
    assert hash_anything(_arrow(pa.chunked_array([garbage]))) == hash_anything(_arrow(pa.chunked_array([clean])))


def test_moving_a_boundary_or_a_missing_entry_changes_the_hash():
    base = hash_anything(pd.array(["ab", "c", None], dtype="string[pyarrow]"))
    assert base != hash_anything(pd.array(["a", "bc", None], dtype="string[pyarrow]"))
    assert base != hash_anything(pd.array(["ab", None, "c"], dtype="string[pyarrow]"))
    assert base != hash_anything(pd.array(["ab", "c", ""], dtype="string[pyarrow]"))


def test_a_frame_with_an_arrow_text_column_is_keyed_by_its_text():
    a = pd.DataFrame({"t": pd.array(["x", "y"], dtype="string[pyarrow]"), "n": [1, 2]})
    b = pd.DataFrame({"t": pd.array(["x", "z"], dtype="string[pyarrow]"), "n": [1, 2]})
    assert hash_anything(a) != hash_anything(b)
    assert hash_anything(a) == hash_anything(a.copy())
