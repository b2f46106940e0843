"""The on-disk format of one entry of the directory store.

::

    prefix   40 bytes  magic b"CKPT", format version (u16), flags (u16), header length (u32),
                       body length (u64), xxh3-64 of header and body (u64), reserved (u64)
    header   JSON      metadata, the pickle's span and the out-of-band buffers' spans; padded so
                       the body starts at a 64-byte boundary
    body               the pickle (protocol 5), then each out-of-band buffer at a 64-byte boundary

A reader checks magic, version, lengths against the file size and the checksum before it
unpickles anything, so a truncated, interrupted or damaged entry is detected, never loaded.
Large numpy results travel as out-of-band buffers: written straight from the array's memory
and loaded as views of the buffer the file was read into (no extra copies).
"""

from __future__ import annotations

import json
import pickle
import struct
from typing import Any, Dict, List, Mapping, Optional, Tuple

import xxhash

MAGIC = b"CKPT"
FORMAT_VERSION = 1
PREFIX = struct.Struct("<4sHHIQQQ")
ALIGN = 64
#: buffers smaller than this stay inside the pickle stream
OUT_OF_BAND_MIN = 1 << 16


class EntryError(Exception):
    """The bytes are not a valid entry (truncated, damaged, or of an unknown format)."""


def _pad(n: int) -> int:
    return (-n) % ALIGN


def encode(result: Any, metadata: Mapping[str, Any], protocol: int) -> Tuple[List[Any], int]:
    """Serialize ``result``: the chunks to write in order and their total size.

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
    spans: List[Tuple[int, int]] = []
    offset = len(payload) + _pad(len(payload))
    raws = [b.raw() for b in buffers]
    for raw in raws:
        spans.append((offset, raw.nbytes))
        offset += raw.nbytes + _pad(raw.nbytes)
    body_len = offset
    meta = dict(metadata)
    meta.update(serializer=serializer, pickle=[0, len(payload)], buffers=spans, payload_size=body_len)
    header = json.dumps(meta, sort_keys=True, default=str).encode()
    header += b" " * _pad(PREFIX.size + len(header))
    checksum = xxhash.xxh3_64(header)
    chunks: List[Any] = [header, payload, b"\0" * _pad(len(payload))]
    for raw in raws:
        chunks += [raw, b"\0" * _pad(raw.nbytes)]
    for c in chunks[1:]:
        checksum.update(c)
    prefix = PREFIX.pack(MAGIC, FORMAT_VERSION, 0, len(header), body_len, checksum.intdigest(), 0)
    chunks.insert(0, prefix)
    return chunks, PREFIX.size + len(header) + body_len


def read_header(data: Any) -> Tuple[Dict[str, Any], int]:
    """Validate the prefix and header of ``data`` (bytes-like): metadata and the body's offset."""
    if len(data) < PREFIX.size:
        raise EntryError(f"truncated: {len(data)} bytes is shorter than the {PREFIX.size}-byte prefix")
    magic, version, _flags, header_len, body_len, checksum, _ = PREFIX.unpack_from(data, 0)
    if magic != MAGIC:
        raise EntryError("not a checkpointing entry (bad magic bytes)")
    if version != FORMAT_VERSION:
        raise EntryError(f"entry format version {version}, this version reads {FORMAT_VERSION}")
    body_start = PREFIX.size + header_len
    if len(data) != body_start + body_len:
        raise EntryError(f"truncated or padded: {len(data)} bytes, expected {body_start + body_len}")
    view = memoryview(data)
    if xxhash.xxh3_64_intdigest(view[PREFIX.size:]) != checksum:
        raise EntryError("checksum mismatch: the entry was damaged")
    try:
        meta = json.loads(bytes(view[PREFIX.size:body_start]))
    except ValueError as exc:
        raise EntryError(f"unreadable header: {exc}") from exc
    return meta, body_start


def decode(data: Any) -> Any:
    """The value stored in ``data`` (validated first). Arrays become views into ``data``."""
    meta, body = read_header(data)
    view = memoryview(data)
    start, length = meta["pickle"]
    buffers = [view[body + off: body + off + n] for off, n in meta["buffers"]]
    return pickle.loads(view[body + start: body + start + length], buffers=buffers)


def metadata(data: Any) -> Optional[Dict[str, Any]]:
    try:
        return read_header(data)[0]
    except EntryError:
        return None
