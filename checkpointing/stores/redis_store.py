"""A Redis store (``redis://host:port/db``): results shared by a team or a cluster.

Layout, under a prefix (default ``checkpointing:``) so that one Redis can hold several caches:

- ``e:<key>``: the entry itself when it is small (at most 64 KB: a hit is one ``GET``), else
  its pointer, a small JSON document (version, chunk count, size, metadata);
- ``c:<key>:<version>:<i>``: a large entry's bytes (the same checksummed, optionally signed
  format as the directory store) in chunks of ``chunk_size`` bytes, so a large value never
  needs one huge Redis string;
- ``used``: a sorted set of last-use times, ``s:<function>``: hit and miss counters,
  ``l:<key>``: single-flight locks, ``latest:<function>``: explanation records.

A save writes the chunks first (with an expiry, so a writer killed midway leaves nothing
behind for long), then, in one server-side step, swaps the pointer, makes the new chunks
permanent and gives the previous version's chunks a one-minute expiry (a delete does the same
with no new pointer): a writer killed at any point leaves no chunk without a pointer or an
expiry. A reader checks the pointer first (consistent counts; with a secret, its signature,
bound to the key) and reads chunks in batches, so a planted pointer costs nothing; if the
chunks vanished under it (an overwrite in between), it follows the new pointer. Readers never
see a partial entry.
Needs the ``redis`` package: ``pip install 'checkpointing[redis]'``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import threading
import time
import warnings
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional

from .._config import cache_secret, defaults
from ..exceptions import CheckpointNotExist, CorruptEntryWarning
from . import entry_format
from .base import CacheBase, EntryInfo, LockTimeout, wait_with_backoff

_ORPHAN_SECONDS = 3600
_INLINE = 1 << 16
_LOCK_TTL_MS = 30_000
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
#: at most this many chunks per entry (8 MiB each: 8 TiB); a pointer claiming more is refused unread
_MAX_CHUNKS = 1 << 20
#: the old chunks of an overwritten or deleted entry stay this long for readers still reading them
_RETIRE_MS = 60_000
# Swap an entry's pointer (KEYS[1]) in one step: the new value (ARGV[1], or a delete when empty)
# goes in, the new chunks (KEYS[2:]) become permanent, and the chunks of the pointer it replaces
# (ARGV[2] is their name prefix) get an expiry, so a writer killed at any point leaves no chunk
# without a pointer or an expiry. Returns the old pointer.
_SWAP = """
local old = redis.call('GET', KEYS[1])
if ARGV[1] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[1]) end
for i = 2, #KEYS do redis.call('PERSIST', KEYS[i]) end
if old and string.sub(old, 1, 1) == '{' then
  local ok, d = pcall(cjson.decode, old)
  if ok and type(d) == 'table' and type(d.v) == 'string' and tonumber(d.n) then
    for i = 0, math.min(tonumber(d.n), %d) - 1 do
      redis.call('PEXPIRE', ARGV[2] .. d.v .. ':' .. i, ARGV[3])
    end
  end
end
return old
""" % _MAX_CHUNKS
_EXTEND = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
           "else return 0 end")


def _pieces(chunks: List[Any], size: int) -> Iterator[Any]:
    """The encoded entry cut into pieces of at most ``size`` bytes, copying only small chunks."""
    pending: List[Any] = []
    pending_len = 0
    for chunk in chunks:
        view = memoryview(chunk).cast("B")
        while view.nbytes:
            take = min(view.nbytes, size - pending_len)
            part, view = view[:take], view[take:]
            if pending_len == 0 and take == size:
                yield part  # a whole piece inside one large buffer: no copy
                continue
            pending.append(bytes(part))
            pending_len += take
            if pending_len == size:
                yield b"".join(pending)
                pending, pending_len = [], 0
    if pending_len:
        yield b"".join(pending)


def _pointer_signature(secret: bytes, key: str, fields: Mapping[str, Any]) -> str:
    """The HMAC of a large entry's pointer (its chunks' version, count, size and chunk size), bound
    to its key: the chunks themselves are a signed entry, this keeps a planted pointer from
    sending readers after chunks that do not exist."""
    text = json.dumps([key, str(fields.get("v")), fields.get("n"), fields.get("size"), fields.get("chunk")])
    return hmac.new(secret, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


#: how long a read keeps retrying while concurrent overwrites replace the entry under it
_TORN_READ_SECONDS = 5.0

class RedisCache(CacheBase[str, Any]):
    """Entries in Redis. ``url`` (``redis://host:port/db``) or ``client`` (a ``redis.Redis``)."""

    keeps_metadata = True

    def __init__(self, url: Optional[str] = None, *, client: Any = None, prefix: str = "checkpointing:",
                 chunk_size: int = 8 << 20, pickle_protocol: Optional[int] = None) -> None:
        if url is not None and "prefix=" in url:  # redis://host:6379/0?prefix=team-a:
            from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

            parts = urlsplit(url)
            query = parse_qsl(parts.query)
            prefix = next((v for k, v in query if k == "prefix"), prefix)
            url = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in query if k != "prefix"])))
        if client is None:
            try:
                import redis
            except ImportError as exc:
                raise ImportError("the Redis store needs the redis package: pip install 'checkpointing[redis]'") from exc
            client = redis.Redis.from_url(url or "redis://localhost:6379/0")
        self.url = url if url is None or prefix == "checkpointing:" else f"{url}{'&' if '?' in url else '?'}prefix={prefix}"
        self.client = client
        self.prefix = prefix
        self.chunk_size = int(chunk_size)
        self.pickle_protocol = pickle_protocol if pickle_protocol is not None else defaults["cache.pickle_protocol"]

    def __repr__(self) -> str:
        return f"RedisCache({self.url!r}, prefix={self.prefix!r})"

    def __getstate__(self) -> Dict[str, Any]:  # a worker process opens its own connection
        return {"url": self.url, "prefix": self.prefix, "chunk_size": self.chunk_size,
                "pickle_protocol": self.pickle_protocol,
                "connection": self.client.connection_pool.connection_kwargs if self.url is None else None}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        import redis

        connection = state.pop("connection")
        client = redis.Redis(**connection) if connection is not None else None
        url = state["url"]
        if url is not None and "prefix=" in url:
            url = url.split("?", 1)[0]
        RedisCache.__init__(self, url, client=client, prefix=state["prefix"], chunk_size=state["chunk_size"],
                      pickle_protocol=state["pickle_protocol"])

    def untrusted_reason(self) -> Optional[str]:
        """A Redis server is shared: whoever can reach it can write entries (see ``trust``)."""
        return "a Redis server: whoever can reach it can write entries"

    def _k(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    # -- save / retrieve --------------------------------------------------------------------

    def save(self, context_id: str, result: Any) -> None:
        self.save_entry(context_id, result, None)

    def save_entry(self, context_id: str, result: Any, metadata: Optional[Mapping[str, Any]] = None) -> None:
        key = str(context_id)
        meta = dict(metadata or {}, key=key)
        secret = cache_secret()
        chunks, size = entry_format.encode(result, meta, self.pickle_protocol, secret, key=key)
        if size <= _INLINE:  # small: the entry is its own pointer
            self._swap(key, b"".join(bytes(c) for c in chunks), [])
            self.client.zadd(self._k("used"), {key: time.time()})
            return
        version = os.urandom(8).hex()
        count = 0
        pipe = self.client.pipeline(transaction=False)
        for i, piece in enumerate(_pieces(chunks, self.chunk_size)):
            pipe.set(self._k("c", key, version, str(i)), piece, ex=_ORPHAN_SECONDS)
            count = i + 1
            if i % 8 == 7:
                pipe.execute()  # bounded memory: at most 8 pieces queued
        pipe.execute()
        fields = {"v": version, "n": count, "size": size, "chunk": self.chunk_size, "meta": {
            k: meta.get(k) for k in ("function", "created", "compute_time", "key")}}
        if secret:
            fields["sig"] = _pointer_signature(secret, key, fields)
        self._swap(key, json.dumps(fields, default=str).encode(), [self._k("c", key, version, str(i))
                                                                  for i in range(count)])
        self.client.zadd(self._k("used"), {key: time.time()})

    def _swap(self, key: str, pointer: bytes, new_chunks: List[str]) -> Optional[bytes]:
        """Put ``pointer`` (empty: nothing) in the place of the entry's, atomically (see ``_SWAP``)."""
        old: Optional[bytes] = self.client.eval(_SWAP, 1 + len(new_chunks), self._k("e", key), *new_chunks,
                                                pointer, self._k("c", key, ""), _RETIRE_MS)
        return old

    def _fetch(self, key: str) -> Any:
        # An overwrite writes its chunks, switches the pointer, then retires the old chunks: a
        # reader between the two may find chunks gone. Each such read is retried as long as the
        # pointer keeps changing (writers are making progress), up to a time limit; the same
        # pointer twice with chunks gone is an entry that was damaged or evicted: a miss.
        deadline = time.monotonic() + _TORN_READ_SECONDS
        last = None
        while True:
            pointer = self.client.get(self._k("e", key))
            if pointer is None:
                raise CheckpointNotExist(key)
            if pointer[:1] != b"{":
                return pointer  # a small entry, stored inline
            version, count, size = self._pointer(key, pointer)
            pieces: List[Any] = []
            for first in range(0, count, 8):  # in batches: a damaged pointer costs little
                pipe = self.client.pipeline(transaction=False)
                for i in range(first, min(count, first + 8)):
                    pipe.get(self._k("c", key, version, str(i)))
                batch = pipe.execute()
                pieces += batch
                if any(p is None for p in batch):
                    break
                if first == 0 and entry_format.total_size(batch[0]) != size:
                    return bytes(batch[0])  # not the start of the entry it claims: damaged, said by decoding
            if any(p is None for p in pieces):
                if pointer == last or time.monotonic() >= deadline:
                    raise CheckpointNotExist(key)
                last = pointer
                continue
            if count == 1:
                return pieces[0]
            buf = bytearray(size)
            offset = 0
            for piece in pieces:
                if offset + len(piece) > size:
                    return b""  # longer than claimed: damaged (a miss with a warning)
                buf[offset:offset + len(piece)] = piece
                offset += len(piece)
            return buf if offset == size else buf[:offset]

    def _pointer(self, key: str, pointer: bytes) -> "tuple[str, int, int]":
        """(version, chunk count, size) of a large entry's pointer, checked before any chunk is
        read: consistent counts, and with a secret, its signature (a planted pointer claiming a
        million chunks costs nothing). A pointer that fails is a miss with a warning."""
        try:
            data = json.loads(pointer)
            version, count, size, chunk = str(data["v"]), int(data["n"]), int(data["size"]), int(data["chunk"])
        except (ValueError, KeyError, TypeError):
            raise self._damaged(key, "its pointer is unreadable, or written by an earlier version") from None
        if not (0 < count <= _MAX_CHUNKS and chunk >= 1 and size > 0 and count == -(-size // chunk)):
            raise self._damaged(key, f"its pointer claims {count} chunks of {chunk} bytes for {size} bytes")
        secret = cache_secret()
        if secret and not hmac.compare_digest(str(data.get("sig", "")), _pointer_signature(secret, key, data)):
            raise self._damaged(key, "its pointer is not signed with the secret: altered, planted, or signed with "
                                     "another secret")
        return version, count, size

    def _damaged(self, key: str, why: str) -> CheckpointNotExist:
        warnings.warn(f"cache entry {key} in {self!r} is unusable ({why}); it is treated as a miss and will be "
                      f"overwritten", CorruptEntryWarning, stacklevel=5)
        return CheckpointNotExist(key)

    def retrieve(self, context_id: str) -> Any:
        key = str(context_id)
        return entry_format.load_or_miss(self._fetch(key), f"{key} in {self!r}", cache_secret(), key)

    def contains(self, context_id: str) -> Optional[bool]:
        return bool(self.client.exists(self._k("e", str(context_id))))

    def compute_time(self, context_id: str) -> Optional[float]:
        pointer = self.client.get(self._k("e", str(context_id)))  # the chunks are not read
        if pointer is None:
            return None
        try:
            meta = json.loads(pointer).get("meta", {}) if pointer[:1] == b"{" else entry_format.header_only(pointer)
        except (ValueError, AttributeError):
            return None
        value = (meta or {}).get("compute_time")
        return float(value) if isinstance(value, (int, float)) else None

    def metadata(self, context_id: str) -> Optional[Dict[str, Any]]:
        try:
            return entry_format.metadata(self._fetch(str(context_id)), cache_secret(), str(context_id))
        except (CheckpointNotExist, entry_format.EntryError):
            return None

    # -- explanations -----------------------------------------------------------------------

    def latest(self, function: str) -> Optional[Mapping[str, Any]]:
        raw = self.client.get(self._k("latest", function))
        try:
            data = json.loads(raw) if raw is not None else None
        except ValueError:
            return None
        return data if isinstance(data, dict) and data.get("function") == function else None

    def record_latest(self, function: str, key: str, components: Any) -> None:
        self.client.set(self._k("latest", function),
                        json.dumps({"function": function, "key": key, "components": components}))

    # -- management -------------------------------------------------------------------------

    def entries(self) -> Iterator[EntryInfo]:
        start = len(self._k("e", ""))
        for name in self.client.scan_iter(match=self._k("e", "*"), count=1000):
            key = name.decode() if isinstance(name, bytes) else name
            key = key[start:]
            pointer = self.client.get(name)
            if pointer is None:
                continue
            data: Dict[str, Any]
            if pointer[:1] != b"{":
                data = {"size": len(pointer), "meta": entry_format.header_only(pointer) or {}}
            else:
                try:
                    data = json.loads(pointer)
                except ValueError:
                    continue
                if not isinstance(data, dict):
                    continue
            meta = data.get("meta") or {}
            used = self.client.zscore(self._k("used"), key)
            yield EntryInfo(key, int(data.get("size", 0)), meta.get("created"), used, meta.get("function"),
                            meta.get("compute_time"), meta)

    def delete(self, context_id: str) -> bool:
        key = str(context_id)
        old = self._swap(key, b"", [])
        self.client.zrem(self._k("used"), key)
        return old is not None

    def touch(self, context_ids: Iterable[str], when: float) -> None:
        mapping = {str(k): when for k in context_ids}
        if mapping:
            self.client.zadd(self._k("used"), mapping, xx=True)

    def record_stats(self, counts: Mapping[str, Mapping[str, float]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for function, c in counts.items():
            name = self._k("s", function)
            pipe.hincrby(name, "hits", int(c.get("hits", 0)))
            pipe.hincrby(name, "misses", int(c.get("misses", 0)))
            pipe.hincrbyfloat(name, "saved", float(c.get("saved", 0.0)))
            pipe.hincrby(name, "unstable", int(c.get("unstable", 0)))
        pipe.execute()

    def stats(self) -> Dict[str, Dict[str, float]]:
        start = len(self._k("s", ""))
        found: Dict[str, Dict[str, float]] = {}
        for name in self.client.scan_iter(match=self._k("s", "*"), count=1000):
            text = name.decode() if isinstance(name, bytes) else name
            values = {k.decode(): float(v) for k, v in self.client.hgetall(name).items()}
            found[text[start:]] = {"hits": int(values.get("hits", 0)), "misses": int(values.get("misses", 0)),
                                   "saved": values.get("saved", 0.0), "unstable": int(values.get("unstable", 0))}
        return found

    @contextlib.contextmanager
    def lock(self, context_id: str, timeout: float) -> Iterator[None]:
        """A Redis lock with a 30 s lease, renewed while held: if its holder dies, it expires."""
        name = self._k("l", str(context_id))
        token = os.urandom(16).hex()
        deadline = time.monotonic() + timeout
        attempt = 0
        while not self.client.set(name, token, nx=True, px=_LOCK_TTL_MS):
            if time.monotonic() >= deadline:
                raise LockTimeout(f"waited {timeout:g}s for another process computing key {context_id}")
            wait_with_backoff(attempt)
            attempt += 1
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(_LOCK_TTL_MS / 3000):
                with contextlib.suppress(Exception):
                    self.client.eval(_EXTEND, 1, name, token, _LOCK_TTL_MS)

        keeper = threading.Thread(target=renew, name="checkpointing-lock-lease", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join()
            with contextlib.suppress(Exception):
                self.client.eval(_RELEASE, 1, name, token)
