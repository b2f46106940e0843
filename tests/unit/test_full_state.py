"""An object of a class of the user's that chooses what pickling keeps (``__getstate__``,
``__reduce__``, ``__reduce_ex__``) is keyed by its whole state, never by the lossy pickle alone."""

from __future__ import annotations

import threading

from checkpointing import hash_anything


class DropsScale:
    def __init__(self, weight, scale):
        self.weight, self.scale = weight, scale

    def __getstate__(self):
        return {"weight": self.weight}

    def predict(self, x):
        return x * self.weight * self.scale


class Slotted:
    __slots__ = ("__secret", "shown")

    def __init__(self, secret, shown):
        self.__secret, self.shown = secret, shown

    def __reduce__(self):
        return (Slotted, (None, self.shown))


class WithLock(DropsScale):
    def __init__(self, weight, scale):
        super().__init__(weight, scale)
        self.lock = threading.Lock()


class Node:
    def __init__(self, value):
        self.value, self.children, self.parent = value, [], None

    def __getstate__(self):
        return {"value": self.value}


def test_an_attribute_getstate_drops_is_keyed() -> None:
    assert hash_anything(DropsScale(2, 1)) != hash_anything(DropsScale(2, 3))
    assert hash_anything(DropsScale(2, 1)) == hash_anything(DropsScale(2, 1))


def test_slots_count_private_names_included() -> None:
    assert hash_anything(Slotted(1, "a")) != hash_anything(Slotted(2, "a"))
    assert hash_anything(Slotted(1, "a")) == hash_anything(Slotted(1, "a"))


def test_what_has_no_content_counts_by_its_type() -> None:
    """A lock is what such a method usually drops: the object is still keyed (by everything
    else), where a lock alone would make the value unhashable."""
    assert hash_anything(WithLock(2, 1)) == hash_anything(WithLock(2, 1))
    assert hash_anything(WithLock(2, 1)) != hash_anything(WithLock(2, 3))


def test_a_cycle_through_the_object_terminates_and_is_deterministic() -> None:
    def tree(leaf_value):
        root = Node(1)
        child = Node(leaf_value)
        child.parent, root.children = root, [child]
        return root

    assert hash_anything(tree(2)) == hash_anything(tree(2))
    assert hash_anything(tree(2)) != hash_anything(tree(3))


def test_a_library_class_is_trusted_to_pickle_what_it_uses() -> None:
    import fractions

    # Fraction defines __reduce__: its pickle is the value, as for any library object
    assert hash_anything(fractions.Fraction(1, 3)) == hash_anything(fractions.Fraction(2, 6))
