"""``checkpointing/hashers/scipy_sparse.py``: a sparse matrix is keyed by its logical content, the
same under every storage variant scipy offers, different under every logical change."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkpointing import hash_anything

sp = pytest.importorskip("scipy.sparse")


@st.composite
def dense(draw) -> np.ndarray:
    rows, cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    mask = draw(st.lists(st.booleans(), min_size=rows * cols, max_size=rows * cols))
    values = draw(st.lists(st.integers(1, 9), min_size=rows * cols, max_size=rows * cols))
    return (np.array(values, dtype=float) * np.array(mask)).reshape(rows, cols)


def _shuffled_coo(d: np.ndarray, seed: int):
    rows, cols = np.nonzero(d)
    order = np.random.default_rng(seed).permutation(rows.size)
    return sp.coo_matrix((d[rows, cols][order], (rows[order], cols[order])), shape=d.shape)


def _unsorted_csr(d: np.ndarray, seed: int):
    """The same CSR matrix with the column indices of each row in a random order."""
    m = sp.csr_matrix(d)
    rng = np.random.default_rng(seed)
    indices, data = m.indices.copy(), m.data.copy()
    for r in range(m.shape[0]):
        lo, hi = m.indptr[r], m.indptr[r + 1]
        order = lo + rng.permutation(hi - lo)
        indices[lo:hi], data[lo:hi] = m.indices[order], m.data[order]
    return sp.csr_matrix((data, indices, m.indptr.copy()), shape=m.shape)


def _wide_indices(m):
    m = m.copy()
    m.indices, m.indptr = m.indices.astype(np.int64), m.indptr.astype(np.int64)
    return m


@settings(max_examples=60, deadline=None)
@given(dense(), st.integers(0, 2**16))
def test_every_storage_variant_of_one_matrix_has_one_key(d: np.ndarray, seed: int) -> None:
    csr = sp.csr_matrix(d)
    sorted_again = _unsorted_csr(d, seed)
    sorted_again.sort_indices()
    for variant in (_shuffled_coo(d, seed).tocsr(), _unsorted_csr(d, seed), sorted_again, _wide_indices(csr),
                    sp.csr_matrix(sp.lil_matrix(d)), sp.csr_matrix(sp.dok_matrix(d))):
        assert hash_anything(variant) == hash_anything(csr)
    assert hash_anything(sp.csr_matrix(d.T).T) == hash_anything(sp.csc_matrix(d))
    assert hash_anything(_shuffled_coo(d, seed)) == hash_anything(sp.coo_matrix(d))


@settings(max_examples=60, deadline=None)
@given(dense(), st.integers(0, 35), st.integers(1, 9))
def test_every_logical_change_is_another_key(d: np.ndarray, where: int, delta: int) -> None:
    changed = d.copy()
    changed.flat[where % d.size] += delta
    assert hash_anything(sp.csr_matrix(changed)) != hash_anything(sp.csr_matrix(d))
    assert hash_anything(sp.csr_matrix(d)) != hash_anything(sp.csc_matrix(d))  # the format is visible
    assert hash_anything(sp.csr_matrix(d)) != hash_anything(sp.csr_matrix(d.astype(np.float32)))
    if d.shape[0] > 1:
        assert hash_anything(sp.csr_matrix(d)) != hash_anything(sp.csr_matrix(np.vstack([d, d[:1] * 0])))


def test_stored_zeros_and_repeated_coordinates_count() -> None:
    """``.nnz`` and ``.data`` show them: a function can tell these apart."""
    m = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0]]))
    stored_zero = m.copy()
    stored_zero.data[0] = 0.0
    eliminated = stored_zero.copy()
    eliminated.eliminate_zeros()
    assert hash_anything(stored_zero) != hash_anything(eliminated)
    repeated = sp.coo_matrix((np.array([1.0, 1.0]), (np.array([0, 0]), np.array([0, 0]))), shape=(2, 2))
    summed = sp.coo_matrix((np.array([2.0]), (np.array([0]), np.array([0]))), shape=(2, 2))
    assert hash_anything(repeated) != hash_anything(summed)


def test_matrix_and_array_classes_differ_and_block_size_counts() -> None:
    d = np.eye(4)
    assert hash_anything(sp.csr_array(d)) != hash_anything(sp.csr_matrix(d))
    assert hash_anything(sp.bsr_matrix(d, blocksize=(2, 2))) != hash_anything(sp.bsr_matrix(d, blocksize=(1, 1)))
