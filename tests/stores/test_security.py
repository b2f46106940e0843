"""Stores under attack and faults (docs/security.md): an entry is bound to its key, nothing
follows a planted link or blocks on a planted FIFO, modes are as documented, a Redis pointer is
checked before its chunks are read, and what killed writers leave behind is found and removed.

Another local user is played by chown to an unused uid, which needs root: those tests skip
otherwise."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
import uuid
import warnings
from pathlib import Path

import pytest

from checkpointing import CorruptEntryWarning, PickleFileCache, RedisCache, defaults
from checkpointing.exceptions import CheckpointNotExist
from checkpointing.stores import entry_format

from ..helpers import Project

AS_ROOT = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                             reason="another user is played by chown, which needs root")
OTHER_UID = 4242


@pytest.fixture
def secret():
    defaults["cache.secret"] = "s3cret"
    yield b"s3cret"
    defaults["cache.secret"] = None


def _miss_with_warning(store, key: str, match: str) -> None:
    with pytest.warns(CorruptEntryWarning, match=match):
        with pytest.raises(CheckpointNotExist):
            store.retrieve(key)


# -- 1. an entry is bound to its key -----------------------------------------------------------

@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_an_entry_copied_under_another_key_is_refused(tmp_path: Path, request, signed: bool) -> None:
    if signed:
        request.getfixturevalue("secret")
    store = PickleFileCache(tmp_path / "store")
    store.save("a" * 32, "cheap item")
    store.save("b" * 32, "dear item")
    shutil.copyfile(store.path_for("a" * 32), store.path_for("b" * 32))
    _miss_with_warning(store, "b" * 32, f"written for key {'a' * 32}, not for {'b' * 32}")
    assert store.metadata("b" * 32) is None
    assert store.retrieve("a" * 32) == "cheap item"


def test_a_large_entry_copied_under_another_key_is_refused(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    store = PickleFileCache(tmp_path / "store")
    store.save("a" * 32, np.zeros(1 << 18))  # read in chunks, its checksum computed on the way
    store.path_for("b" * 32).parent.mkdir(mode=0o700)
    shutil.copyfile(store.path_for("a" * 32), store.path_for("b" * 32))
    _miss_with_warning(store, "b" * 32, "copied or moved under this name")


def test_a_signed_redis_entry_copied_under_another_key_is_refused(redis_url: str, secret: bytes) -> None:
    store = RedisCache(redis_url, prefix=f"test-{uuid.uuid4().hex}:", chunk_size=1 << 16)
    store.save("a" * 32, "cheap")
    store.save("c" * 32, b"x" * (300 << 10))  # large: a pointer and chunks
    store.client.set(store._k("e", "b" * 32), store.client.get(store._k("e", "a" * 32)))
    _miss_with_warning(store, "b" * 32, "written for key")
    store.client.set(store._k("e", "d" * 32), store.client.get(store._k("e", "c" * 32)))
    _miss_with_warning(store, "d" * 32, "not signed with the secret")  # its pointer is bound to its key


def test_an_entry_of_the_previous_format_is_a_silent_miss(tmp_path: Path) -> None:
    store = PickleFileCache(tmp_path / "store")
    store.save("a" * 32, 1)
    raw = bytearray(store.path_for("a" * 32).read_bytes())
    raw[4] = entry_format.FORMAT_VERSION - 1
    store.path_for("a" * 32).write_bytes(bytes(raw))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CheckpointNotExist):
            store.retrieve("a" * 32)


# -- 2. a folder made by someone else after the store was judged ---------------------------------

@AS_ROOT
def test_a_store_folder_another_user_creates_during_the_first_computation_is_not_used(project: Project) -> None:
    main = f'''
import os
from checkpointing import checkpoint


@checkpoint()
def price(item):
    print("RUN")
    if not os.path.exists(".checkpointing"):  # another user, faster than the first save
        os.mkdir(".checkpointing", 0o755)
        os.chown(".checkpointing", {OTHER_UID}, {OTHER_UID})
    return {{"cheap": 1, "dear": 100}}[item]


print("OUT", price("dear"))
'''
    project.write({"main.py": main})
    first = project.run(check=False)
    assert first.out == ["100"] and "owned by another user" in first.stderr, first.stderr
    assert os.listdir(project.root / ".checkpointing") == []  # nothing of ours written into it
    again = project.run(check=False)
    assert again.ran and again.out == ["100"] and "owned by another user" in again.stderr


# -- 3. an empty secret ------------------------------------------------------------------------

def test_an_empty_secret_is_no_secret(project: Project) -> None:
    main = '''
import os
from checkpointing import checkpoint, defaults

defaults["cache.secret"] = ""
os.makedirs("shared", exist_ok=True)
os.chmod("shared", 0o777)


@checkpoint(store="shared")
def f():
    print("RUN")
    return 1


print("OUT", f())
'''
    project.write({"main.py": main})
    project.run(check=False)
    run = project.run(check=False)
    assert run.ran, "a world-writable store with an empty secret was used"
    assert "is empty, which is no secret" in run.stderr and "can be written by others" in run.stderr


# -- 4. links and special files ----------------------------------------------------------------

def test_a_link_planted_as_a_shard_folder_is_not_followed(tmp_path: Path) -> None:
    store = PickleFileCache(tmp_path / "store")
    store.save("00" * 16, 0)  # the store exists
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, tmp_path / "store" / "ab")
    with pytest.raises(PermissionError, match="symbolic link"):
        store.save("ab" * 16, "secret result")
    assert list(outside.iterdir()) == []


def test_a_lock_file_planted_as_a_dangling_link_is_not_created(tmp_path: Path) -> None:
    from checkpointing.stores.file_layout import file_name

    store = PickleFileCache(tmp_path / "store")
    store.save("00" * 16, 0)
    (tmp_path / "store" / "locks").mkdir(mode=0o700)
    target = tmp_path / "created-by-the-lock"
    os.symlink(target, tmp_path / "store" / "locks" / (file_name("ab" * 16) + ".lock"))
    with pytest.raises(OSError):
        with store.lock("ab" * 16, timeout=1):
            pass
    assert not target.exists()


def test_a_fifo_at_an_entry_path_neither_hangs_a_call_nor_ls(tmp_path: Path) -> None:
    store = PickleFileCache(tmp_path / "store")
    store.save("00" * 16, 0)
    path = store.path_for("ab" * 16)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    os.mkfifo(path)
    done = threading.Event()

    def read() -> None:
        with pytest.warns(CorruptEntryWarning, match="not a regular file"):
            with pytest.raises(CheckpointNotExist):
                store.retrieve("ab" * 16)
        assert [e.key for e in store.entries()] == ["00" * 16]
        done.set()

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(20)
    assert done.is_set(), "reading a FIFO blocked"


def test_a_huge_file_that_is_not_an_entry_is_refused_on_its_first_bytes(tmp_path: Path, monkeypatch) -> None:
    store = PickleFileCache(tmp_path / "store")
    store.save("00" * 16, 0)
    path = store.path_for("ab" * 16)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"garbage!")
        f.truncate(3 << 29)  # 1.5 GB, sparse
    read = []
    real = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: read.append(n) or real(fd, n))
    _miss_with_warning(store, "ab" * 16, "bad magic")
    assert sum(read) <= 1 << 16


# -- 5. file modes -----------------------------------------------------------------------------

def test_entries_and_folders_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        store = PickleFileCache(tmp_path / "store")
        store.save("ab" * 16, 1)
        store.record_latest("mod.f", "ab" * 16, [])
    finally:
        os.umask(old)
    root = tmp_path / "store"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for path in root.rglob("*"):
        want = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == want, path


def test_a_group_shared_store_gives_the_group_its_folders_and_entries(tmp_path: Path) -> None:
    defaults["cache.directory_mode"] = 0o2770
    try:
        store = PickleFileCache(tmp_path / "store")
        store.save("ab" * 16, 1)
        with store.lock("ab" * 16, timeout=1):
            pass
    finally:
        defaults["cache.directory_mode"] = 0o700
    for path in [tmp_path / "store", *(tmp_path / "store").rglob("*")]:
        want = 0o2770 if path.is_dir() else 0o660
        assert stat.S_IMODE(path.stat().st_mode) == want, path


@AS_ROOT
def test_a_store_folder_created_by_another_user_between_the_judgement_and_the_first_save(tmp_path: Path) -> None:
    """The race the decorator's second judgement cannot close: the folder appears between it and
    the store's own mkdir."""
    store = PickleFileCache(tmp_path / "store")
    real_mkdir = os.mkdir

    def raced(path, mode=0o777, **kw):
        if os.fspath(path) == store.root:
            real_mkdir(path, 0o755)
            os.chown(path, OTHER_UID, OTHER_UID)
        return real_mkdir(path, mode, **kw)

    os.mkdir = raced
    try:
        with pytest.raises(PermissionError, match="refusing to write into"):
            store.save("ab" * 16, 1)
    finally:
        os.mkdir = real_mkdir
    assert os.listdir(store.root) == []


def test_a_directory_mode_that_is_not_an_int_says_which_setting(tmp_path: Path) -> None:
    defaults["cache.directory_mode"] = "0700"
    try:
        with pytest.raises(ValueError, match=r'defaults\["cache.directory_mode"\] must be an int'):
            PickleFileCache(tmp_path / "store")  # where the store is made: at decoration
    finally:
        defaults["cache.directory_mode"] = 0o700


# -- 6. Redis pointers -------------------------------------------------------------------------

def test_a_planted_redis_pointer_claiming_a_million_chunks_costs_nothing(redis_url: str) -> None:
    store = RedisCache(redis_url, prefix=f"test-{uuid.uuid4().hex}:")
    store.client.set(store._k("e", "k" * 32), json.dumps({"v": "x", "n": 1_000_000, "size": 40, "chunk": 1}))
    start = time.perf_counter()
    _miss_with_warning(store, "k" * 32, "claims 1000000 chunks")
    consistent = {"v": "x", "n": 1_000_000, "size": 1_000_000 << 23, "chunk": 1 << 23}
    store.client.set(store._k("e", "k" * 32), json.dumps(consistent))
    with pytest.raises(CheckpointNotExist):
        store.retrieve("k" * 32)  # read in batches: the first one has no chunk
    assert time.perf_counter() - start < 5


def test_an_unsigned_redis_pointer_is_refused_when_a_secret_is_set(redis_url: str, secret: bytes) -> None:
    store = RedisCache(redis_url, prefix=f"test-{uuid.uuid4().hex}:", chunk_size=1 << 16)
    store.save("k" * 32, b"y" * (200 << 10))
    pointer = json.loads(store.client.get(store._k("e", "k" * 32)))
    del pointer["sig"]
    store.client.set(store._k("e", "k" * 32), json.dumps(pointer))
    _miss_with_warning(store, "k" * 32, "not signed with the secret")


def test_an_overwritten_or_deleted_redis_entry_leaves_no_chunk_without_an_expiry(redis_url: str) -> None:
    store = RedisCache(redis_url, prefix=f"test-{uuid.uuid4().hex}:", chunk_size=1 << 16)
    store.save("k" * 32, b"1" * (200 << 10))
    store.save("k" * 32, b"2" * (200 << 10))
    assert store.retrieve("k" * 32) == b"2" * (200 << 10)
    store.delete("k" * 32)
    chunks = list(store.client.scan_iter(match=store._k("c", "*")))
    assert chunks and all(0 < store.client.pttl(c) <= 60_000 for c in chunks)


# -- 7. what killed writers leave --------------------------------------------------------------

def test_temporary_files_of_killed_writers_are_counted_and_removed(tmp_path: Path) -> None:
    store = PickleFileCache(tmp_path / "store")
    store.save("ab" * 16, 1)
    shard = store.path_for("ab" * 16).parent
    old = shard / f".{'ab' * 16}.ckpt.999999.1.0badf00d.tmp"
    old.write_bytes(b"x" * 1000)
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    fresh = shard / f".{'cd' * 16}.ckpt.999999.1.1badf00d.tmp"  # a writer still at work
    fresh.write_bytes(b"y")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "checkpointing", *args, "--store", str(tmp_path / "store")],
                              capture_output=True, text=True, timeout=120)

    assert "and 1 temporary files (1000 B) left by writers that were killed" in cli("ls").stdout
    gc = cli("gc", "--max-size", "1GB")
    assert gc.returncode == 0 and "deleted 1000 B of temporary files" in gc.stdout
    assert not old.exists() and fresh.exists()


def test_a_save_sweeps_old_temporary_files_from_its_folder(tmp_path: Path) -> None:
    store = PickleFileCache(tmp_path / "store")
    store.save("00" * 16, 0)
    shard = store.path_for("ab" * 16).parent
    shard.mkdir(mode=0o700, exist_ok=True)
    old = shard / f".{'ab' * 16}.ckpt.999999.1.0badf00d.tmp"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    PickleFileCache(tmp_path / "store").save("ab" * 16, 1)  # a rerun, in a new process
    assert not old.exists()


# -- 9. clear errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["ls", "--store", "typo_dir"], "no store at typo_dir"),
    (["ls", "--store", "redis://[::1"], "cannot open the store 'redis://[::1'"),
    (["ls", "--store", "redis://localhost:1/0"], "cannot reach the store redis://localhost:1/0"),
    (["ls", "--store", "s3//bucket"], "did you mean s3://bucket"),
])
def test_a_store_that_cannot_be_used_is_a_usage_error(tmp_path: Path, args: list, message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "checkpointing", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def _python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / ".xdg"), **env})


def test_a_bad_verify_variable_never_fails_the_import(tmp_path: Path) -> None:
    done = _python("import checkpointing; print('imported')", tmp_path, CHECKPOINTING_VERIFY="bogus")
    assert done.returncode == 0 and "imported" in done.stdout
    assert "CHECKPOINTING_VERIFY must be 1" in done.stderr and "verification is off" in done.stderr


@pytest.mark.parametrize("variable, value, said", [
    ("CHECKPOINTING_TRUST_UNSIGNED", "maybe", "CHECKPOINTING_TRUST_UNSIGNED is 'maybe'"),
    ("CHECKPOINTING_ENVIRONMENT", "loose", "CHECKPOINTING_ENVIRONMENT is 'loose'"),
])
def test_a_bad_environment_variable_is_named_when_used(tmp_path: Path, variable: str, value: str, said: str) -> None:
    code = ("import os\nfrom checkpointing import checkpoint\nos.makedirs('shared', exist_ok=True)\n"
            "os.chmod('shared', 0o777)\n"
            "@checkpoint(store='shared' if os.environ.get('CHECKPOINTING_TRUST_UNSIGNED') else '.checkpointing')\n"
            "def f():\n    return 1\nf(); f()\n")
    done = _python(code, tmp_path, **{variable: value})
    assert done.returncode == 0 and said in done.stderr, done.stderr


def test_settings_are_checked_at_decoration(tmp_path: Path) -> None:
    from checkpointing import checkpoint
    from checkpointing.exceptions import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="lock_timeout must be a number of seconds"):
        checkpoint(lock=True, lock_timeout="soon")
    with pytest.raises(ValueError, match="did you mean s3://bucket"):
        checkpoint(store="s3//bucket")


def test_a_secret_in_any_encoding_signs_and_checks(tmp_path: Path) -> None:
    code = ("from checkpointing import checkpoint\n@checkpoint()\ndef f():\n    print('RUN')\n    return 1\n"
            "print(f())\n")
    env = {"CHECKPOINTING_SECRET": os.fsdecode(b"caf\xe9-latin1")}
    first, second = _python(code, tmp_path, **env), _python(code, tmp_path, **env)
    assert first.returncode == 0 and "RUN" in first.stdout and first.stderr == "", first.stderr
    assert "RUN" not in second.stdout and second.stderr == ""


def test_every_guarantee_in_the_security_docs_names_a_test_here() -> None:
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    table = doc.split("## Threat model and guarantees", 1)[1]
    named = set(re.findall(r"`(test_\w+)`", table))
    assert len(named) >= 14
    assert named <= set(globals()), sorted(named - set(globals()))


def test_a_copied_entry_is_said_once_and_the_call_returns_its_own_result(tmp_path: Path) -> None:
    from checkpointing import checkpoint

    @checkpoint(directory=tmp_path / "store")
    def price(item):
        return {"cheap": 1, "dear": 100}[item]

    assert (price("cheap"), price("dear")) == (1, 100)
    store = price.__checkpointing__.cache
    cheap, dear = (price.explain(item).key for item in ("cheap", "dear"))
    shutil.copyfile(store.path_for(cheap), store.path_for(dear))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert price("dear") == 100
    assert [str(w.message).count("copied or moved") for w in caught] == [1]
    assert price("dear") == 100 and price.cache_info().hits >= 1


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write a read-only folder")
def test_clear_on_a_read_only_store_is_a_usage_error(tmp_path: Path) -> None:
    store = PickleFileCache(tmp_path / "store")
    store.save("ab" * 16, 1)
    shard = store.path_for("ab" * 16).parent
    shard.chmod(0o500)
    try:
        done = subprocess.run([sys.executable, "-m", "checkpointing", "clear", "--yes", "--store",
                               str(tmp_path / "store")], capture_output=True, text=True, timeout=120)
    finally:
        shard.chmod(0o700)
    assert done.returncode == 2 and "Permission denied" in done.stderr and "Traceback" not in done.stderr
