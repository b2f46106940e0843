"""Nothing pathological hangs or crashes (issue 15): hashing any value takes time linear in its
size (values that share parts fifty levels deep would take 2**50 steps otherwise), or fails
with UnhashableValueError; never a RecursionError, never a crash. Linear time is checked by
counting the hasher's steps, not by a clock."""

from __future__ import annotations

import pytest

from checkpointing import UnhashableValueError, checkpoint, hash_anything
from checkpointing._hashing import ValueHasher


def _tuple_dag():
    t = ()
    for _ in range(60):
        t = (t, t)
    return t


def _frozenset_dag():
    f = frozenset()
    for _ in range(60):
        f = frozenset({f, (f,)})
    return f


def _list_dag():
    value = []
    for _ in range(60):
        value = [value, value]
    return value


def _object_dag():
    class Node:
        pass

    node = Node()
    for _ in range(60):
        parent = Node()
        parent.left = parent.right = node
        node = parent
    return node


class _Hashable:
    def __hash__(self):
        return 1


def _set_cycle():
    member = _Hashable()
    holder = {member}
    member.back = holder
    return holder


def _frozenset_cycle():
    member = _Hashable()
    frozen = frozenset({member})
    member.back = frozen
    return frozen


def _self_list():
    value = []
    value.append(value)
    return value


def _self_dict():
    value = {}
    value["me"] = value
    return value


def _nested(depth, make):
    value = make(())
    for _ in range(depth):
        value = make(value)
    return value


FINISH = {"tuple-dag": _tuple_dag, "frozenset-dag": _frozenset_dag, "list-dag": _list_dag,
          "object-dag": _object_dag, "set-cycle-through-an-object": _set_cycle,
          "frozenset-cycle-through-an-object": _frozenset_cycle, "self-list": _self_list, "self-dict": _self_dict}
TOO_DEEP = {"list-10000-deep": lambda: _nested(10_000, lambda v: [v]),
            "tuple-10000-deep": lambda: _nested(10_000, lambda v: (v,)),
            "dict-10000-deep": lambda: _nested(10_000, lambda v: {"k": v})}


@pytest.mark.parametrize("name", sorted(FINISH))
def test_shared_and_cyclic_values_hash_in_linear_steps(name, monkeypatch):
    steps = []
    feed = ValueHasher.feed

    def counting(self, obj, h):
        steps.append(1)
        if len(steps) > 100_000:
            raise AssertionError(f"{name}: more than 100,000 steps for a value of a few hundred parts")
        return feed(self, obj, h)

    monkeypatch.setattr(ValueHasher, "feed", counting)
    value = FINISH[name]()
    assert hash_anything(value) == hash_anything(value)


@pytest.mark.parametrize("name", sorted(TOO_DEEP))
def test_values_nested_too_deeply_are_unhashable_not_a_crash(name, tmp_path):
    value = TOO_DEEP[name]()
    with pytest.raises(UnhashableValueError, match="nested deeper"):
        hash_anything(value)

    @checkpoint(directory=tmp_path / "store", on_error="ignore")
    def size(v):
        return 1

    assert size(value) == 1  # the call runs uncached


def test_a_deeply_nested_result_is_returned_even_if_it_cannot_be_stored(tmp_path):
    @checkpoint(directory=tmp_path / "store", on_error="ignore")
    def build(n):
        return _nested(n, lambda v: [v])

    assert len(build(100_000)) == 1  # pickling it to store it fails; the value is still returned


class _OddModule(type):
    """Like a Cython function type: the type's __module__ is not a string."""

    __module__ = property(lambda cls: 42)  # type: ignore[assignment]


def test_a_type_whose_module_is_not_a_string_is_hashed_or_refused_cleanly():
    from checkpointing import UnhashableValueError, hash_anything

    value = _OddModule("Odd", (), {})()
    assert not isinstance(type(value).__module__, str)
    try:
        hash_anything([value])
    except UnhashableValueError:
        pass  # refused with the documented error, never an AttributeError from inside the hasher


class _ModuleIsADescriptor:
    """Like a Cython function type on some builds (numpy on Python 3.10): the type's
    ``__module__`` is a descriptor of its instances, not a string."""

    __module__ = property(lambda self: "somewhere")  # type: ignore[assignment]


def test_a_type_whose_module_is_not_a_string_is_neither_data_nor_an_error() -> None:
    from checkpointing._key.reads import is_data as _is_data
    from checkpointing._value_diff import first_difference

    odd = _ModuleIsADescriptor()
    assert not isinstance(type(odd).__dict__["__module__"], str)
    assert _is_data(odd) is False
    assert first_difference(odd, odd) is None
    assert first_difference([odd], [1]).startswith("result[0]: a ")


def test_a_deep_linked_list_with_the_recursion_limit_raised_never_crashes_the_process(tmp_path) -> None:
    """A notebook raises the recursion limit; a 100,000-long linked list then overflowed the C
    stack in the pickler (SIGSEGV). Hashing it is refused and saving it fails, both with a clear
    message; the program goes on (run in a subprocess: a crash must not take the suite down)."""
    import subprocess
    import sys
    import textwrap

    program = textwrap.dedent("""\
        import sys, warnings
        sys.setrecursionlimit(1_000_000)
        from checkpointing import checkpoint, hash_anything
        from checkpointing.exceptions import UnhashableValueError

        class Node:
            def __init__(self, nxt):
                self.nxt = nxt

        @checkpoint()
        def chain(n):
            head = None
            for _ in range(n):
                head = Node(head)
            return head

        @checkpoint()
        def length(head):
            n = 0
            while head is not None:
                head, n = head.nxt, n + 1
            return n

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            print("length", length(chain(100_000)))
        print("warned", sorted({str(w.message).split(":")[0][:40] for w in caught}))
        nested = None
        for _ in range(100_000):
            nested = [nested]
        try:
            hash_anything(nested)
        except UnhashableValueError as exc:
            print("refused", "nested" in str(exc))
        print("limit", sys.getrecursionlimit())
        """)
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "length 100000" and "refused True" in lines and "limit 1000000" in lines
