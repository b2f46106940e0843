"""Whose entries may be unpickled: a store others can write is trusted only when signed.

Unpickling runs code. An entry is loaded only if nobody but you could have written it:

- a store only you can write (your own directory, not writable by your group or others, like
  the default ``.checkpointing/``; an in-process store) is trusted;
- a store others can write (a Redis server, an object store, a directory that is group- or
  world-writable or owned by someone else, checked like OpenSSH's ``StrictModes``) is trusted
  only when entries are signed (``CHECKPOINTING_SECRET``: a signed entry's signature is
  checked before it is unpickled), or when you say so knowingly (``trust_unsigned=True``,
  ``CHECKPOINTING_TRUST_UNSIGNED=1`` or ``defaults["cache.trust_unsigned"]``).

An untrusted store is neither read nor written: the call computes, and one
:class:`~checkpointing.UntrustedStoreWarning` per process and store says why and what to do.
See docs/security.md for the decision table.
"""

from __future__ import annotations

import os
import stat
import threading
import warnings
import weakref
from typing import Any, Optional

from .._config import cache_secret, defaults

_decided: "weakref.WeakKeyDictionary[Any, Optional[str]]" = weakref.WeakKeyDictionary()  # why untrusted
_warned: "weakref.WeakSet[Any]" = weakref.WeakSet()
_lock = threading.Lock()


def directory_risk(path: str) -> Optional[str]:
    """Why others could write entries into the directory ``path`` (None: only you can).

    The directory (created private if it does not exist yet: judged again once it does) must be
    owned by you (or root)
    and not writable by its group or others; each of its ancestors must be owned by you or
    root and not writable by others unless it has the sticky bit (``/tmp``), so nobody can put
    another directory in its place."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    if uid is None:  # no POSIX ownership: not checked (Windows)
        return None
    current = os.path.abspath(path)
    first = True
    while True:
        try:
            st = os.lstat(current)
        except FileNotFoundError:  # made later, by us, private
            parent = os.path.dirname(current)
            if parent == current:
                return None
            current, first = parent, False
            continue
        except OSError:  # not a folder at all: nothing can be read from it, and writing will fail and say so
            return None
        if stat.S_ISLNK(st.st_mode):
            target = os.path.realpath(current)
            if st.st_uid not in (uid, 0):
                return f"{current} is a symbolic link owned by user {st.st_uid}"
            current = target
            continue
        if st.st_uid not in (uid, 0):
            return f"{current} is owned by another user (uid {st.st_uid})"
        writable_by_others = st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        if first and writable_by_others:
            return f"{current} is writable by {'its group' if st.st_mode & stat.S_IWGRP else 'others'} " \
                   f"(mode {stat.S_IMODE(st.st_mode):o})"
        if not first and st.st_mode & stat.S_IWOTH and not st.st_mode & stat.S_ISVTX:
            return f"{current}, a folder above the store, is writable by others without the sticky bit"
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current, first = parent, False


def untrusted(store: Any) -> Optional[str]:
    """Why others could write ``store``'s entries (None: only you can), decided once per store,
    once it is settled: a directory store whose folder does not exist yet is judged again at each
    call until it does (someone else could create it first, see ``PickleFileCache._makedirs``)."""
    try:
        return _decided[store]
    except KeyError:
        reason = _risk(store)
        if settled(store):
            with _lock:
                _decided[store] = reason
        return reason
    except TypeError:  # not weakly referenceable: decided every time
        return _risk(store)


def settled(store: Any) -> bool:
    """Is the judgement of ``store`` final? Not while its folder does not exist (a store says so
    by its ``trust_settled()`` method; one without is settled)."""
    method = getattr(store, "trust_settled", None)
    return bool(method()) if callable(method) else True


def _risk(store: Any) -> Optional[str]:
    """Why others could write ``store``'s entries (None: only you can). A store says so by its
    ``untrusted_reason()`` method; a store without one (your own class) is trusted."""
    reason = getattr(store, "untrusted_reason", None)
    return reason() if callable(reason) else None


def trust_unsigned_configured() -> bool:
    if defaults.get("cache.trust_unsigned"):
        return True
    value = os.environ.get("CHECKPOINTING_TRUST_UNSIGNED", "").strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value not in ("", "0", "false", "no") and value not in _told:
        _told.add(value)
        warnings.warn(f"CHECKPOINTING_TRUST_UNSIGNED is {value!r}: it must be 1 (trust unsigned entries of stores "
                      f"others can write) or 0; it is taken as 0", stacklevel=3)
    return False


_told: "set[str]" = set()


def readable(store: Any, trust_unsigned: bool = False, where: Any = None) -> bool:
    """May ``store``'s entries be loaded? Warns once per process and store when they may not."""
    reason = untrusted(store)
    if reason is None or trust_unsigned or cache_secret() is not None or trust_unsigned_configured():
        return True
    try:
        first = store not in _warned
        _warned.add(store)
    except TypeError:
        first = True
    if first:
        from ..exceptions import UntrustedStoreWarning

        message = (f"{store!r} can be written by others ({reason}) and its entries are not signed: unpickling an "
                   f"entry runs its code, so none is loaded and calls are computed. Set CHECKPOINTING_SECRET (the "
                   f"same secret wherever the store is shared) to sign and check entries, or, for a store only you "
                   f"can write, pass trust_unsigned=True to @checkpoint or set CHECKPOINTING_TRUST_UNSIGNED=1.")
        if where is not None:
            where(message, UntrustedStoreWarning)
        else:
            warnings.warn(message, UntrustedStoreWarning, stacklevel=3)
    return False


def forget(store: Any) -> None:
    """Decide again for ``store`` (its permissions or location changed)."""
    with _lock:
        _decided.pop(store, None)
        _warned.discard(store)
