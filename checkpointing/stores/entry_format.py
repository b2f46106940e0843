"""The on-disk format of one entry of the directory store.

::

    prefix   40 bytes  magic b"CKPT", format version (u16), flags (u16), header length (u32),
                       body length (u64), xxh3-64 of header and body (u64), span count (u64)
    header             the key the entry was written for (its xxh3-128 digest, 16 bytes); the
                       spans (offset and length, two u64 each, relative to the body) of the
                       pickle and of each out-of-band buffer; the environment (u32 length, then
                       text such as ``python~=3.11.7;numpy=2.4.6;pandas=3.1.1``, see
                       :func:`environment_of`); JSON metadata
                       for tooling; padded so the body starts at a 64-byte boundary
    body               the pickle (protocol 5), then each out-of-band buffer at a 64-byte boundary
    signature          (signed entries only, flag bit 0) HMAC-SHA256 of everything before it

A reader checks magic, version, lengths against the entry's size and the checksum before it
unpickles anything, so a truncated, interrupted or damaged entry is detected, never loaded; and
that the entry was written for the key asked for (covered by the checksum and the signature):
an entry copied or moved under another key's name (by someone who can write a shared store, or
by a sync tool) is refused with a warning, never served as another call's result. An entry of an
older format version is a miss, silently: it is recomputed and written in this format.
With a secret set (``CHECKPOINTING_SECRET`` or ``defaults["cache.secret"]``), entries are
signed, and an unsigned entry or one whose signature does not match is refused before
unpickling: unpickling runs code, so only entries written by a holder of the secret are loaded.
Large numpy results travel as out-of-band buffers: written straight from the array's memory
and loaded as views of the buffer the file was read into (no extra copies).

The *environment* of an entry is the Python version and the version of every installed
distribution whose code its pickle refers to (read from the pickle's global references). An
entry written in another environment (pandas 2.x, read by pandas 3.x: the same pickle gives a
different object, or fails) is not loaded: :class:`EnvironmentMismatch`, a miss the decorator
explains, after which the result is stored *beside* the other environment's entry (see
:func:`variant_key`). ``defaults["cache.environment"]`` (or ``$CHECKPOINTING_ENVIRONMENT``) says
how close versions must be: ``"minor"`` (the default: the same major.minor), ``"exact"``, or
``"ignore"``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import platform
import re
import struct
import warnings
from typing import Any, Dict, List, Mapping, Optional, Tuple

import xxhash

from .._config import defaults
from .._hashing import bounded_recursion
from ..exceptions import CheckpointError, CheckpointNotExist, CheckpointWarning, CorruptEntryWarning

MAGIC = b"CKPT"
FORMAT_VERSION = 3
PREFIX = struct.Struct("<4sHHIQQQ")
SPAN = struct.Struct("<QQ")
#: the digest of the key an entry was written for, first in the header
KEY_DIGEST_SIZE = 16
_SPANS = PREFIX.size + KEY_DIGEST_SIZE  # where the spans start
_U32 = struct.Struct("<I")
ALIGN = 64
SIGNED = 1  # flag bit: a signature follows the body
SIGNATURE_SIZE = 32
#: buffers smaller than this stay inside the pickle stream
OUT_OF_BAND_MIN = 1 << 16


class Verified:
    """Entry bytes whose checksum the reader already computed while reading them."""

    __slots__ = ("data", "checksum")

    def __init__(self, data: Any, checksum: int) -> None:
        self.data = data
        self.checksum = checksum


class EntryError(CheckpointError):
    """The bytes are not a valid entry (truncated, damaged, or of an unknown format)."""


class MisplacedEntryError(EntryError):
    """A valid entry, written for another key than the one it is stored under."""


def key_digest(key: str) -> bytes:
    """What an entry records of the key it was written for."""
    return xxhash.xxh3_128_digest(key.encode("utf-8", "surrogatepass"))


def _pad(n: int) -> int:
    return (-n) % ALIGN


def encode(result: Any, metadata: Mapping[str, Any], protocol: int,
           secret: Optional[bytes] = None, *, key: str) -> Tuple[List[Any], int]:
    """Serialize ``result`` as the entry of ``key``: the chunks to write in order and their total
    size (signed with ``secret`` when one is given).

    Raises whatever pickling raises when the value cannot be serialized at all.
    """
    buffers: List[pickle.PickleBuffer] = []

    def keep_out_of_band(buf: pickle.PickleBuffer) -> bool:
        if buf.raw().nbytes >= OUT_OF_BAND_MIN:
            buffers.append(buf)
            return False
        return True

    serializer = "pickle"
    with bounded_recursion():  # a result nested too deeply fails to save, never crashes the process
        try:
            payload = pickle.dumps(result, protocol=protocol,
                                   buffer_callback=keep_out_of_band if protocol >= 5 else None)
        except RecursionError:
            raise
        except Exception:
            import cloudpickle

            buffers.clear()
            payload = cloudpickle.dumps(result, protocol=protocol,
                                        buffer_callback=keep_out_of_band if protocol >= 5 else None)
            serializer = "cloudpickle"
    spans: List[Tuple[int, int]] = [(0, len(payload))]
    offset = len(payload) + _pad(len(payload))
    raws = [b.raw() for b in buffers]
    for raw in raws:
        spans.append((offset, raw.nbytes))
        offset += raw.nbytes + _pad(raw.nbytes)
    body_len = offset
    environment = environment_of(payload).encode()
    meta = dict(metadata)
    meta.update(serializer=serializer, buffers=spans[1:], payload_size=body_len, environment=environment.decode())
    header = (key_digest(key) + b"".join(SPAN.pack(*span) for span in spans) + _U32.pack(len(environment))
              + environment + json.dumps(meta, sort_keys=True, default=str).encode())
    header += b" " * _pad(PREFIX.size + len(header))
    checksum = xxhash.xxh3_64(header)
    chunks: List[Any] = [header, payload, b"\0" * _pad(len(payload))]
    for raw in raws:
        chunks += [raw, b"\0" * _pad(raw.nbytes)]
    for c in chunks[1:]:
        checksum.update(c)
    flags = SIGNED if secret else 0
    prefix = PREFIX.pack(MAGIC, FORMAT_VERSION, flags, len(header), body_len, checksum.intdigest(), len(spans))
    chunks.insert(0, prefix)
    size = PREFIX.size + len(header) + body_len
    if secret:
        mac = hmac.new(secret, digestmod=hashlib.sha256)
        for c in chunks:
            mac.update(c)
        chunks.append(mac.digest())
        size += SIGNATURE_SIZE
    return chunks, size


def total_size(head: Any) -> Optional[int]:
    """The size the entry whose first bytes are ``head`` claims to have (None if unreadable)."""
    if len(head) < PREFIX.size:
        return None
    magic, _version, flags, header_len, body_len, _checksum, _n = PREFIX.unpack_from(head, 0)
    if magic != MAGIC:
        return None
    size: int = PREFIX.size + header_len + body_len + (SIGNATURE_SIZE if flags & SIGNED else 0)
    return size


class UnsignedEntryError(EntryError):
    """A secret is set and the entry is unsigned, or its signature does not match."""


def _validate(data: Any, secret: Optional[bytes], key: str) -> Tuple[List[Tuple[int, int]], int, int, bytes]:
    """Check ``data`` (bytes-like) is a whole, undamaged (and, with ``secret``, authentic) entry,
    written for ``key``: its spans, the start of its JSON metadata, its body's start and its
    environment text."""
    computed = None
    if isinstance(data, Verified):
        data, computed = data.data, data.checksum
    if len(data) < PREFIX.size:
        raise EntryError(f"truncated: {len(data)} bytes is shorter than the {PREFIX.size}-byte prefix")
    magic, version, flags, header_len, body_len, checksum, nspans = PREFIX.unpack_from(data, 0)
    if magic != MAGIC:
        raise EntryError("not a checkpointing entry (bad magic bytes)")
    if version != FORMAT_VERSION:
        if magic == MAGIC and version < FORMAT_VERSION:  # written by an earlier version: recomputed once
            raise CheckpointNotExist(f"an entry of format version {version}")
        raise EntryError(f"entry format version {version}, this version reads {FORMAT_VERSION}")
    body_start = PREFIX.size + header_len
    end = body_start + body_len
    signed = bool(flags & SIGNED)
    if len(data) != end + (SIGNATURE_SIZE if signed else 0):
        raise EntryError(f"truncated or padded: {len(data)} bytes, expected "
                         f"{end + (SIGNATURE_SIZE if signed else 0)}")
    if not 1 <= nspans <= (header_len - KEY_DIGEST_SIZE) // SPAN.size:
        raise EntryError(f"bad span count {nspans}")
    if secret:
        if not signed:
            raise UnsignedEntryError("unsigned entry refused: a secret is set (CHECKPOINTING_SECRET), so only "
                                     "entries signed with it are loaded")
        view = memoryview(data)
        expected = hmac.new(secret, view[:end], hashlib.sha256).digest()
        if not hmac.compare_digest(expected, bytes(view[end:end + SIGNATURE_SIZE])):
            raise UnsignedEntryError("signature mismatch: the entry was altered or signed with another secret; "
                                     "refused before unpickling")
    if computed is None:
        computed = xxhash.xxh3_64_intdigest(memoryview(data)[PREFIX.size:end])
    if computed != checksum:
        raise EntryError("checksum mismatch: the entry was damaged")
    if nspans == 1:
        spans = [SPAN.unpack_from(data, _SPANS)]
    else:
        spans = [SPAN.unpack_from(data, _SPANS + i * SPAN.size) for i in range(nspans)]
    for off, n in spans:
        if off + n > body_len:
            raise EntryError("a span points outside the entry")
    env_start = _SPANS + nspans * SPAN.size
    (env_len,) = _U32.unpack_from(data, env_start)
    if env_start + 4 + env_len > body_start:
        raise EntryError("the environment runs past the header")
    if bytes(data[PREFIX.size:_SPANS]) != key_digest(key):
        raise MisplacedEntryError(_misplaced(data, env_start + 4 + env_len, body_start, key))
    return spans, env_start + 4 + env_len, body_start, bytes(data[env_start + 4:env_start + 4 + env_len])


def _misplaced(data: Any, meta_start: int, body_start: int, key: str) -> str:
    try:
        written_for = json.loads(bytes(memoryview(data)[meta_start:body_start])).get("key")
    except (ValueError, AttributeError):
        written_for = None
    what = f"key {written_for}" if isinstance(written_for, str) else "another key"
    return (f"the entry was written for {what}, not for {key}: it was copied or moved under this name (by "
            f"someone who can write the store, or a sync tool) and is refused, never served as another call's "
            f"result")


def read_header(data: Any, secret: Optional[bytes], key: str) -> Tuple[Dict[str, Any], int]:
    """Validate ``data`` as the entry of ``key``; return its metadata and the body's offset."""
    _, meta_start, body_start, _ = _validate(data, secret, key)
    try:
        raw = data.data if isinstance(data, Verified) else data
        meta = json.loads(bytes(memoryview(raw)[meta_start:body_start]))
    except ValueError as exc:
        raise EntryError(f"unreadable header: {exc}") from exc
    return meta, body_start


#: the prefix, the key's digest, one span and the environment's length: every field a small
#: unsigned entry has
_SMALL = struct.Struct(PREFIX.format + f"{KEY_DIGEST_SIZE}s" + SPAN.format[1:] + _U32.format[1:])
_SLOW = object()


def _decode_small(data: bytes, key: str) -> Any:
    """:func:`decode` for the common hit: a small unsigned entry read in one piece, checked with
    the same rules in fewer steps (``_SLOW``: anything else, or any doubt; the full path decides)."""
    if len(data) < _SMALL.size:
        return _SLOW
    magic, version, flags, header_len, body_len, checksum, nspans, digest, off, n, env_len = \
        _SMALL.unpack_from(data, 0)
    body = PREFIX.size + header_len
    env_start = _SMALL.size
    if (magic != MAGIC or version != FORMAT_VERSION or flags or nspans != 1 or len(data) != body + body_len
            or off + n > body_len or env_start + env_len > body
            or xxhash.xxh3_64_intdigest(memoryview(data)[PREFIX.size:]) != checksum
            or digest != key_digest(key)):
        return _SLOW
    _check_environment(data[env_start:env_start + env_len])
    return pickle.loads(data[body + off:body + off + n])


def _check_environment(environment: bytes) -> None:
    policy = defaults.get("cache.environment") or _ENV_POLICY or "minor"
    verdict = _verdicts.get(environment)
    if verdict is None or verdict[0] != policy:
        verdict = _verdicts[environment] = (policy, mismatch(environment.decode()))
    if verdict[1] is not None:
        raise verdict[1]


def decode(data: Any, secret: Optional[bytes], key: str) -> Any:
    """The value stored in ``data`` as the entry of ``key`` (validated first, and refused if
    written in another environment: :class:`EnvironmentMismatch`). Arrays become views into ``data``."""
    if not secret and type(data) is bytes:
        value = _decode_small(data, key)
        if value is not _SLOW:
            return value
    spans, _, body, environment = _validate(data, secret, key)
    _check_environment(environment)
    view = memoryview(data.data if isinstance(data, Verified) else data)
    (start, length), rest = spans[0], spans[1:]
    buffers = [view[body + off: body + off + n] for off, n in rest]
    return pickle.loads(view[body + start: body + start + length], buffers=buffers)


def metadata(data: Any, secret: Optional[bytes], key: str) -> Optional[Dict[str, Any]]:
    try:
        return read_header(data, secret, key)[0]
    except (EntryError, CheckpointNotExist):
        return None


def header_only(head: Any) -> Optional[Dict[str, Any]]:
    """The metadata of an entry from its first bytes only (no checksum: for listings)."""
    if len(head) < PREFIX.size:
        return None
    magic, version, _flags, header_len, _body_len, _checksum, nspans = PREFIX.unpack_from(head, 0)
    env_start, end = _SPANS + nspans * SPAN.size, PREFIX.size + header_len
    if magic != MAGIC or version != FORMAT_VERSION or len(head) < end or env_start + 4 > end:
        return None
    (env_len,) = _U32.unpack_from(head, env_start)
    try:
        meta: Dict[str, Any] = json.loads(bytes(memoryview(head)[env_start + 4 + env_len:end]))
        return meta
    except ValueError:
        return None


def load_or_miss(data: Any, where: str, secret: Optional[bytes], key: str) -> Any:
    """The value in ``data``, the entry of ``key``; a damaged, refused, misplaced or unloadable
    entry warns (:class:`~checkpointing.CorruptEntryWarning`) and raises ``CheckpointNotExist``:
    a miss. An entry of another environment raises :class:`EnvironmentMismatch` (a miss too), and
    one of an older format ``CheckpointNotExist``, silently."""
    try:
        return decode(data, secret, key)
    except CheckpointNotExist:
        raise
    except EntryError as exc:
        message = f"cache entry {where} is unusable ({exc}); it is treated as a miss and will be overwritten"
    except Exception as exc:  # unpickling can raise anything (a class that moved, ...)
        message = (f"cache entry {where} could not be loaded: {type(exc).__name__}: {exc}; it is treated as a "
                   f"miss and will be overwritten")
    warnings.warn(message, CorruptEntryWarning, stacklevel=4)
    raise CheckpointNotExist(where)


# -- the environment of an entry ----------------------------------------------------------------------

#: a module named in a pickle's global references: the module and the name as SHORT_BINUNICODE
#: strings (each maybe memoized), then STACK_GLOBAL (protocol 4+); or GLOBAL with its two text
#: lines (protocol <= 3). A module already named once is referred to through the memo.
_GLOBALS = re.compile(rb"\x8c([\x01-\xff])([A-Za-z_][\w.]*)\x94?\x8c[\x01-\xff][\w.<>]*\x94?\x93"
                      rb"|c([A-Za-z_][\w.]*)\n[\w.<>]+\n", re.S)
_verdicts: Dict[bytes, Tuple[str, Optional["EnvironmentMismatch"]]] = {}


class EnvironmentMismatch(CheckpointNotExist):
    """The entry was written in another environment: a miss, whose result is stored beside it."""

    def __init__(self, message: str, tag: str) -> None:
        super().__init__(message)
        self.tag = tag  # where this environment's entry lives (see variant_key)


def modules_of(payload: bytes) -> List[str]:
    """The modules a pickle refers to by name (its classes and functions)."""
    found = set()
    for match in _GLOBALS.finditer(payload):
        if match.group(3) is not None:
            found.add(match.group(3).decode("utf-8", "replace"))
        elif match.group(1)[0] == len(match.group(2)):  # the length byte proves it is one string
            found.add(match.group(2).decode("utf-8", "replace"))
    return sorted(found)


#: modules a pickle of plain data refers to whatever it holds: pickle's own machinery, which reads
#: the same way on every Python 3 (a pickle of lists, dicts, numbers, strings, sets, numpy arrays)
_PICKLE_MACHINERY = frozenset({"builtins", "copyreg", "_codecs", "__builtin__", "copy_reg"})
#: libraries that pickle code objects (bytecode, which is specific to a Python version)
_CODE_PICKLERS = frozenset({"cloudpickle", "dill"})
#: the Python version, recorded but not relied on: the pickle refers to no standard-library code
INFORMATIVE_PYTHON = "python~"


def environment_of(payload: bytes) -> str:
    """``python=X.Y.Z;dist=version;...``: the versions of the code the pickle refers to. The
    Python version counts (``python``) when it refers to standard-library code (a ``datetime``,
    a ``Path``, an ``OrderedDict``); otherwise it is only recorded (``python~``), and an entry of
    plain data, numpy or pandas values is shared between Python versions. A pickle made by
    cloudpickle or dill holds bytecode: the Python version counts."""
    modules = modules_of(payload)
    if not modules:  # plain data (the lookups below are imported only when there is code to look up)
        return f"{INFORMATIVE_PYTHON}={platform.python_version()}"
    from .._distributions import distribution_of
    from ..analysis.stdlib import is_stdlib_module

    relies = any((is_stdlib_module(m) and m not in _PICKLE_MACHINERY) or m.split(".")[0] in _CODE_PICKLERS
                 for m in modules)
    python = "python" if relies else INFORMATIVE_PYTHON
    versions = {python: platform.python_version()}
    for module in modules:
        found = distribution_of(module)
        if found is not None:
            versions[found[0]] = found[1]
    return ";".join(f"{k}={v}" for k, v in sorted(versions.items(), key=lambda kv: (not kv[0].startswith("python"),
                                                                                     kv[0])))


_ENV_POLICY = os.environ.get("CHECKPOINTING_ENVIRONMENT")  # read once: this is on every hit
_POLICIES = ("minor", "exact", "ignore")


def _policy() -> str:
    configured = defaults.get("cache.environment")
    value = configured or _ENV_POLICY or "minor"
    if value in _POLICIES:
        return value
    where = 'defaults["cache.environment"]' if configured else "CHECKPOINTING_ENVIRONMENT"
    if where not in _told:
        _told.add(where)
        warnings.warn(f"{where} is {value!r}: it must be one of {', '.join(_POLICIES)}; \"minor\" is used",
                      CheckpointWarning, stacklevel=2)
    return "minor"


_told: "set[str]" = set()


def _trim(version: str, policy: str) -> str:
    return version if policy == "exact" else ".".join(version.split(".")[:2])


def parse_environment(text: str) -> Dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)


def current_environment(names: Any) -> Dict[str, str]:
    """The running versions of ``names`` (distributions, and "python")."""
    found = {name: platform.python_version() for name in names if name == "python"}
    if len(found) < len(names):  # (imported only when a distribution is named: this is on every first hit)
        from .._distributions import installed_version

        found.update((name, installed_version(name) or "absent") for name in names if name != "python")
    return found


def mismatch(recorded: str) -> Optional[EnvironmentMismatch]:
    """Why an entry written in the environment ``recorded`` may not be loaded here (None: it may)."""
    policy = _policy()
    if policy == "ignore" or not recorded:
        return None
    then = {name: version for name, version in parse_environment(recorded).items() if name != INFORMATIVE_PYTHON}
    now = current_environment(then)
    differ = [name for name in then if _trim(then[name], policy) != _trim(now[name], policy)]
    if not differ:
        return None
    what = ", ".join(f"{name} {then[name]}" for name in differ)
    running = ", ".join(f"{name} {now[name]}" for name in differ)
    tag = xxhash.xxh3_64_hexdigest(";".join(f"{n}={_trim(now[n], policy)}" for n in sorted(now)).encode())
    return EnvironmentMismatch(f"written with {what}, running {running}", tag)


def variant_key(key: str, tag: str) -> str:
    """Where the entry of ``key`` lives for another environment (beside the first one)."""
    return f"{key}.{tag}"
