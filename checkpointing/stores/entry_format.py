"""The on-disk format of one entry of the directory store.

::

    prefix   40 bytes  magic b"CKPT", format version (u16), flags (u16), header length (u32),
                       body length (u64), xxh3-64 of header and body (u64), span count (u64)
    header             the spans (offset and length, two u64 each, relative to the body) of the
                       pickle and of each out-of-band buffer, then JSON metadata for tooling;
                       padded so the body starts at a 64-byte boundary
    body               the pickle (protocol 5), then each out-of-band buffer at a 64-byte boundary
    signature          (signed entries only, flag bit 0) HMAC-SHA256 of everything before it

A reader checks magic, version, lengths against the entry's size and the checksum before it
unpickles anything, so a truncated, interrupted or damaged entry is detected, never loaded.
With a secret set (``CHECKPOINTING_SECRET`` or ``defaults["cache.secret"]``), entries are
signed, and an unsigned entry or one whose signature does not match is refused before
unpickling: unpickling runs code, so only entries written by a holder of the secret are loaded.
Large numpy results travel as out-of-band buffers: written straight from the array's memory
and loaded as views of the buffer the file was read into (no extra copies).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
import struct
import warnings
from typing import Any, Dict, List, Mapping, Optional, Tuple

import xxhash

from ..exceptions import CheckpointNotExist, CorruptEntryWarning

MAGIC = b"CKPT"
FORMAT_VERSION = 1
PREFIX = struct.Struct("<4sHHIQQQ")
SPAN = struct.Struct("<QQ")
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


class EntryError(Exception):
    """The bytes are not a valid entry (truncated, damaged, or of an unknown format)."""


def _pad(n: int) -> int:
    return (-n) % ALIGN


def encode(result: Any, metadata: Mapping[str, Any], protocol: int,
           secret: Optional[bytes] = None) -> Tuple[List[Any], int]:
    """Serialize ``result``: the chunks to write in order and their total size (signed with
    ``secret`` when one is given).

    Raises whatever pickling raises when the value cannot be serialized at all.
    """
    buffers: List[pickle.PickleBuffer] = []

    def keep_out_of_band(buf: pickle.PickleBuffer) -> bool:
        if buf.raw().nbytes >= OUT_OF_BAND_MIN:
            buffers.append(buf)
            return False
        return True

    serializer = "pickle"
    try:
        payload = pickle.dumps(result, protocol=protocol,
                               buffer_callback=keep_out_of_band if protocol >= 5 else None)
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
    meta = dict(metadata)
    meta.update(serializer=serializer, buffers=spans[1:], payload_size=body_len)
    header = b"".join(SPAN.pack(*span) for span in spans) + json.dumps(meta, sort_keys=True, default=str).encode()
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
    return PREFIX.size + header_len + body_len + (SIGNATURE_SIZE if flags & SIGNED else 0)


class UnsignedEntryError(EntryError):
    """A secret is set and the entry is unsigned, or its signature does not match."""


def _validate(data: Any, secret: Optional[bytes] = None) -> Tuple[List[Tuple[int, int]], int, int]:
    """Check ``data`` (bytes-like) is a whole, undamaged (and, with ``secret``, authentic) entry:
    its spans, header end and body start."""
    computed = None
    if isinstance(data, Verified):
        data, computed = data.data, data.checksum
    if len(data) < PREFIX.size:
        raise EntryError(f"truncated: {len(data)} bytes is shorter than the {PREFIX.size}-byte prefix")
    magic, version, flags, header_len, body_len, checksum, nspans = PREFIX.unpack_from(data, 0)
    if magic != MAGIC:
        raise EntryError("not a checkpointing entry (bad magic bytes)")
    if version != FORMAT_VERSION:
        raise EntryError(f"entry format version {version}, this version reads {FORMAT_VERSION}")
    body_start = PREFIX.size + header_len
    end = body_start + body_len
    signed = bool(flags & SIGNED)
    if len(data) != end + (SIGNATURE_SIZE if signed else 0):
        raise EntryError(f"truncated or padded: {len(data)} bytes, expected "
                         f"{end + (SIGNATURE_SIZE if signed else 0)}")
    if not 1 <= nspans <= header_len // SPAN.size:
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
        spans = [SPAN.unpack_from(data, PREFIX.size)]
    else:
        spans = [SPAN.unpack_from(data, PREFIX.size + i * SPAN.size) for i in range(nspans)]
    for off, n in spans:
        if off + n > body_len:
            raise EntryError("a span points outside the entry")
    return spans, PREFIX.size + nspans * SPAN.size, body_start


def read_header(data: Any, secret: Optional[bytes] = None) -> Tuple[Dict[str, Any], int]:
    """Validate ``data``; return its metadata and the body's offset."""
    _, meta_start, body_start = _validate(data, secret)
    try:
        raw = data.data if isinstance(data, Verified) else data
        meta = json.loads(bytes(memoryview(raw)[meta_start:body_start]))
    except ValueError as exc:
        raise EntryError(f"unreadable header: {exc}") from exc
    return meta, body_start


def decode(data: Any, secret: Optional[bytes] = None) -> Any:
    """The value stored in ``data`` (validated first). Arrays become views into ``data``."""
    spans, _, body = _validate(data, secret)
    view = memoryview(data.data if isinstance(data, Verified) else data)
    (start, length), rest = spans[0], spans[1:]
    buffers = [view[body + off: body + off + n] for off, n in rest]
    return pickle.loads(view[body + start: body + start + length], buffers=buffers)


def metadata(data: Any, secret: Optional[bytes] = None) -> Optional[Dict[str, Any]]:
    try:
        return read_header(data, secret)[0]
    except EntryError:
        return None


def header_only(head: Any) -> Optional[Dict[str, Any]]:
    """The metadata of an entry from its first bytes only (no checksum: for listings)."""
    if len(head) < PREFIX.size:
        return None
    magic, _version, _flags, header_len, _body_len, _checksum, nspans = PREFIX.unpack_from(head, 0)
    start, end = PREFIX.size + nspans * SPAN.size, PREFIX.size + header_len
    if magic != MAGIC or len(head) < end:
        return None
    try:
        return json.loads(bytes(memoryview(head)[start:end]))
    except ValueError:
        return None


def load_or_miss(data: Any, where: str, secret: Optional[bytes]) -> Any:
    """The value in ``data``; a damaged, refused or unloadable entry warns
    (:class:`~checkpointing.CorruptEntryWarning`) and raises ``CheckpointNotExist``: a miss."""
    try:
        return decode(data, secret)
    except EntryError as exc:
        message = f"cache entry {where} is unusable ({exc}); it is treated as a miss and will be overwritten"
    except Exception as exc:  # unpickling can raise anything (a class that moved, ...)
        message = (f"cache entry {where} could not be loaded: {type(exc).__name__}: {exc}; it is treated as a "
                   f"miss and will be overwritten")
    warnings.warn(message, CorruptEntryWarning, stacklevel=4)
    raise CheckpointNotExist(where)
