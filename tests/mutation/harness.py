"""Mutation testing of the key: every single mutation that changes a program's output must
make the cached run recompute.

A *program* is a folder (``programs/<name>/``) holding a small project: ``main.py``, which
imports the decorator as ``from ckpt import cached``, calls the decorated function(s) and
prints each result as ``OUT <repr>``; the decorated functions print ``RUN`` first. An
optional ``program.json`` gives the environment variables and command-line arguments the
program reads (``{"env": {"NAME": ["base", "other", ...]}, "argv": [["base"], ["other"]]}``:
the first value is the baseline, the others are mutations) and whether its every mutation is
part of what the default (shallow) mode promises (``"shallow": true``: all its code is read
directly by the decorated function).

For each program the harness:

1. runs the baseline twice with caching on: the first run computes, the second must be
   served entirely from the store (else the program is not cacheable: a redundant-rerun bug);
2. for every mutant (one literal changed, one operator swapped, two parameters of a
   signature or two arguments of a call swapped, one decorator removed, one environment
   variable or argument changed), runs it *uncached* (``cached`` is the identity), then runs
   it *cached* against a copy of the baseline's store;
3. a mutant whose uncached output differs from the baseline's, while a cached call printed
   a value without recomputing, is a **survivor**: a stale result. A mutant whose output is
   unchanged but that recomputed counts as *redundant* (a cost, not a defect).

Runs are forked from the test process (the libraries are imported once), in a working
folder of their own, with bytecode caching off, so each run sees the files as written.
"""

from __future__ import annotations

import ast
import atexit
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

PROGRAMS = Path(__file__).parent / "programs"

_ADAPTERS = {
    "deep": "from checkpointing import checkpoint\n\ncached = checkpoint(deep=True)\n",
    "shallow": "from checkpointing import checkpoint\n\ncached = checkpoint()\n",
    "none": "def cached(func):\n    return func\n",
}

_SWAP_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult,
               ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.LShift: ast.RShift, ast.RShift: ast.LShift,
               ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr, ast.BitXor: ast.BitOr}
_SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
             ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}


# -- mutations ---------------------------------------------------------------------------------


class _Mutator(ast.NodeTransformer):
    """Counts mutation sites in source order; applies the ``target``-th one (-1: none)."""

    def __init__(self, target: int = -1) -> None:
        self.target = target
        self.count = 0
        self.applied = ""

    def _site(self, what: str) -> bool:
        hit = self.count == self.target
        self.count += 1
        if hit:
            self.applied = what
        return hit

    # statements and calls left alone: the markers, and the __main__ guard
    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id == "print":
            return node
        self.generic_visit(node)
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(positional) == len(node.args):
            for i in range(len(node.args) - 1):
                if ast.dump(node.args[i]) != ast.dump(node.args[i + 1]) and self._site(
                        f"swap arguments {i} and {i + 1} of the call on line {node.lineno}"):
                    node.args[i], node.args[i + 1] = node.args[i + 1], node.args[i]
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        test = node.test
        if (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"):
            for stmt in node.body:  # the main block: its arguments are mutated, its guard is not
                self.visit(stmt)
            return node
        return self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, bool):
            new: object = not value
        elif isinstance(value, int):
            new = value + 1
        elif isinstance(value, float):
            new = value + 1.5
        elif isinstance(value, str):
            new = value + "~"
        elif isinstance(value, bytes):
            new = value + b"~"
        else:
            return node
        if self._site(f"constant {value!r} -> {new!r} on line {node.lineno}"):
            return ast.copy_location(ast.Constant(new), node)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        swap = _SWAP_BINOP.get(type(node.op))
        if swap is not None and self._site(f"{type(node.op).__name__} -> {swap.__name__} on line {node.lineno}"):
            node.op = swap()
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        swap = _SWAP_BINOP.get(type(node.op))
        if swap is not None and self._site(f"{type(node.op).__name__}= -> {swap.__name__}= on line {node.lineno}"):
            node.op = swap()
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            swap = _SWAP_CMP.get(type(op))
            if swap is not None and self._site(f"{type(op).__name__} -> {swap.__name__} on line {node.lineno}"):
                node.ops[i] = swap()
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        swap = ast.Or if isinstance(node.op, ast.And) else ast.And
        if self._site(f"{type(node.op).__name__} -> {swap.__name__} on line {node.lineno}"):
            node.op = swap()
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, (ast.USub, ast.Not, ast.Invert)) and self._site(
                f"drop unary {type(node.op).__name__} on line {node.lineno}"):
            return node.operand
        return node

    def _definition(self, node: ast.AST) -> ast.AST:
        decorators = node.decorator_list  # type: ignore[attr-defined]
        for i, dec in enumerate(list(decorators)):
            if isinstance(dec, ast.Name) and dec.id == "cached":
                continue
            if self._site(f"remove decorator {ast.unparse(dec)} on line {dec.lineno}"):
                del decorators[i]
                break
        return self.generic_visit(node)

    def _signature(self, node: ast.AST) -> None:
        args = node.args  # type: ignore[attr-defined]
        positional = [*args.posonlyargs, *args.args]
        first = 1 if positional and positional[0].arg in ("self", "cls", "mcs", "metacls") else 0
        for i in range(first, len(positional) - 1):
            a, b = positional[i], positional[i + 1]
            if self._site(f"swap parameters {a.arg} and {b.arg} on line {node.lineno}"):
                a.arg, b.arg = b.arg, a.arg

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self._signature(node)
        return self._definition(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return self._definition(node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self._signature(node)
        return self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        return self.generic_visit(node)


def _unparse(tree: ast.AST) -> str:
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


@dataclass
class Program:
    name: str
    files: Dict[str, str]  # relative path -> baseline source (ast-unparsed)
    env: Dict[str, List[str]] = field(default_factory=dict)
    argv: List[List[str]] = field(default_factory=lambda: [[]])
    shallow: bool = False

    @classmethod
    def load(cls, folder: Path) -> "Program":
        files = {}
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(folder).as_posix()
            files[rel] = _unparse(ast.parse(path.read_text()))
        meta = json.loads((folder / "program.json").read_text()) if (folder / "program.json").exists() else {}
        return cls(folder.name, files, meta.get("env", {}), meta.get("argv", [[]]), bool(meta.get("shallow")))

    @property
    def base_env(self) -> Dict[str, str]:
        return {name: values[0] for name, values in self.env.items()}

    def mutants(self) -> Iterator["Mutant"]:
        for rel, text in self.files.items():
            tree = ast.parse(text)
            counter = _Mutator()
            counter.visit(copy.deepcopy(tree))
            for k in range(counter.count):
                mutator = _Mutator(k)
                mutated = _unparse(mutator.visit(copy.deepcopy(tree)))
                if mutated != text:
                    yield Mutant(f"{rel} #{k}: {mutator.applied}", {**self.files, rel: mutated}, self.base_env,
                                 self.argv[0])
        for name, values in self.env.items():
            for value in values[1:]:
                yield Mutant(f"environment {name}={value!r}", self.files, {**self.base_env, name: value}, self.argv[0])
        for argv in self.argv[1:]:
            yield Mutant(f"argv {argv!r}", self.files, self.base_env, argv)


@dataclass
class Mutant:
    description: str
    files: Dict[str, str]
    env: Dict[str, str]
    argv: List[str]


# -- running ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    ok: bool
    calls: List[Tuple[bool, str]]  # per printed value: (recomputed?, value)
    stdout: str
    stderr: str

    @property
    def values(self) -> List[str]:
        return [value for _, value in self.calls]

    @property
    def recomputed(self) -> bool:
        return any(ran for ran, _ in self.calls)

    @property
    def reasons(self) -> List[str]:
        """Why calls were recomputed, as the library logged it ("... recomputed because ...")."""
        return [line[4:] for line in self.stderr.splitlines() if line.startswith("WHY ")]


def _parse(stdout: str) -> List[Tuple[bool, str]]:
    calls: List[Tuple[bool, str]] = []
    ran = False
    for line in stdout.splitlines():
        if line.strip() == "RUN":
            ran = True
        elif line.startswith("OUT "):
            calls.append((ran, line[4:]))
            ran = False
    return calls


class Runner:
    """Runs a program's files in a working folder of its own, forked from this process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.analysis_cache = root / "analysis-cache"

    def run(self, files: Dict[str, str], mode: str, env: Dict[str, str], argv: Sequence[str],
            store: Optional[Path] = None, keep_store: Optional[Path] = None, hash_seed: int = 1) -> Outcome:
        # one folder, emptied between runs: a program may read its own path (sys.argv[0], __file__)
        work = self.root / "work"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        for rel, text in files.items():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            (work / rel).write_text(text)
        adapter = work / "_adapter"
        adapter.mkdir()
        (adapter / "ckpt.py").write_text(_ADAPTERS[mode])
        if store is not None:
            shutil.copytree(store, work / ".checkpointing")
        outcome = _fork_run(work, adapter, {**env, "CHECKPOINTING_ANALYSIS_CACHE": str(self.analysis_cache)},
                            list(argv), hash_seed)
        if keep_store is not None and (work / ".checkpointing").exists():
            shutil.copytree(work / ".checkpointing", keep_store)
        shutil.rmtree(work, ignore_errors=True)
        return outcome


def _fork_run(work: Path, adapter: Path, env: Dict[str, str], argv: List[str], hash_seed: int = 1) -> Outcome:
    """Run ``main.py`` in a process forked from the fork server of ``hash_seed`` (see :class:`_ForkServer`)."""
    out_path, err_path = work / "_stdout", work / "_stderr"
    ok = _ForkServer.get(hash_seed).run(work, adapter, env, argv)
    stdout = out_path.read_text() if out_path.exists() else ""
    stderr = err_path.read_text() if err_path.exists() else ""
    return Outcome(ok, _parse(stdout), stdout, stderr)


class _ForkServer:
    """A single-threaded process, started once per test process, that has imported
    checkpointing and forks one child per run: a run is as cheap as a fork, and starts from a
    pristine process (nothing the test process did, no thread of it: forking a multi-threaded
    process can deadlock the child, and Python 3.12+ warns about it). One server per hash seed:
    a run forked from another server is a process with other string hashes, as a fresh
    interpreter of the user's next run is."""

    _instances: Dict[int, "_ForkServer"] = {}

    def __init__(self, hash_seed: int) -> None:
        root = Path(__file__).resolve().parents[2]
        env = dict(os.environ, CHECKPOINTING_STRICT="1", PYTHONHASHSEED=str(hash_seed))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH", "")]))
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from tests.mutation.harness import _serve; _serve()"], cwd=root, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    @classmethod
    def get(cls, hash_seed: int = 1) -> "_ForkServer":
        server = cls._instances.get(hash_seed)
        if server is None or server.process.poll() is not None:
            server = cls._instances[hash_seed] = cls(hash_seed)
            atexit.register(server.process.kill)
        return server

    def run(self, work: Path, adapter: Path, env: Dict[str, str], argv: List[str]) -> bool:
        assert self.process.stdin is not None and self.process.stdout is not None
        request = {"work": str(work), "adapter": str(adapter), "env": env, "argv": argv}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        reply = self.process.stdout.readline()
        if not reply:
            raise RuntimeError("the mutation harness's fork server died")
        return bool(json.loads(reply)["ok"])


def _serve() -> None:
    """The fork server's loop: one JSON request per line in, one JSON reply per line out."""
    import checkpointing  # noqa: F401  (imported once, as a test process has it)

    for line in sys.stdin:
        request = json.loads(line)
        ok = _fork_here(Path(request["work"]), Path(request["adapter"]), request["env"], request["argv"])
        sys.stdout.write(json.dumps({"ok": ok}) + "\n")
        sys.stdout.flush()


def _fork_here(work: Path, adapter: Path, env: Dict[str, str], argv: List[str]) -> bool:
    out_path, err_path = work / "_stdout", work / "_stderr"
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(out_fd, 1)
            os.dup2(err_fd, 2)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # not the server's requests
            sys.stdin = open(0, closefd=False)
            sys.stdout = open(1, "w", closefd=False)
            sys.stderr = open(2, "w", closefd=False)
            import runpy
            import warnings

            warnings.resetwarnings()
            warnings.simplefilter("default")
            import logging  # the reasons of misses, for the explanation check

            why = logging.StreamHandler(sys.stderr)
            why.setFormatter(logging.Formatter("WHY %(message)s"))
            logging.getLogger("checkpointing").addHandler(why)
            logging.getLogger("checkpointing").setLevel(logging.INFO)
            sys.dont_write_bytecode = True
            # the test process may have imported modules of the same names (config, helpers...)
            own = {p.name[:-3] if p.suffix == ".py" else p.name for p in work.iterdir()}
            for name in [n for n in sys.modules if n.split(".", 1)[0] in own]:
                del sys.modules[name]
            os.chdir(work)
            sys.path[:0] = [str(adapter), str(work)]
            for name, value in env.items():
                os.environ[name] = value
            sys.argv = ["main.py", *argv]
            runpy.run_path(str(work / "main.py"), run_name="__main__")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


# -- the verdict -------------------------------------------------------------------------------


@dataclass
class Report:
    program: str
    mode: str
    tried: int = 0
    changed: int = 0  # mutants whose output differs from the baseline's
    invalid: int = 0  # mutants that crash uncached
    redundant: int = 0  # same output, but recomputed
    survivors: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.program} [{self.mode}]: {self.tried} mutants, {self.changed} change the output, "
                f"{len(self.survivors)} survived, {self.redundant} redundant reruns, {self.invalid} invalid")


def check_program(program: Program, modes: Sequence[str], root: Path,
                  truth: Optional[Dict[str, Outcome]] = None) -> List[Report]:
    """Run every mutant of ``program`` in each mode; the uncached truth is computed once."""
    runner = Runner(root)
    base_env, base_argv = program.base_env, program.argv[0]
    truth_base = runner.run(program.files, "none", base_env, base_argv)
    if not truth_base.ok:
        raise AssertionError(f"{program.name}: the baseline fails uncached:\n{truth_base.stderr}")
    reports = []
    stores: Dict[str, Path] = {}
    for mode in modes:
        report = Report(program.name, mode)
        reports.append(report)
        store = root / f"store-{mode}"
        first = runner.run(program.files, mode, base_env, base_argv, keep_store=store)
        if not first.ok or first.values != truth_base.values:
            report.errors.append(f"baseline run differs from the uncached one:\n{first.stdout}\n{first.stderr}")
            continue
        # a fresh process with other string hashes: an unchanged program must hit there too
        second = runner.run(program.files, mode, base_env, base_argv, store=store, hash_seed=2)
        if second.recomputed or second.values != truth_base.values or _our_warnings(second.stderr):
            report.errors.append(f"the unchanged program is not served from the store:\n{second.stdout}\n"
                                 f"{second.stderr}")
            continue
        stores[mode] = store
    truths = truth if truth is not None else {}
    for mutant in program.mutants():
        uncached = truths.get(mutant.description)
        if uncached is None:
            uncached = runner.run(mutant.files, "none", mutant.env, mutant.argv)
            truths[mutant.description] = uncached
        for report in reports:
            if report.mode not in stores:
                continue
            report.tried += 1
            if not uncached.ok:
                report.invalid += 1
                continue
            changed = uncached.values != truth_base.values
            report.changed += changed
            cached = runner.run(mutant.files, report.mode, mutant.env, mutant.argv, store=stores[report.mode])
            if not cached.ok:
                report.errors.append(f"{mutant.description}: the cached run failed:\n{cached.stderr}")
                continue
            stale = [i for i, ((ran, value), expected) in enumerate(zip(cached.calls, uncached.values))
                     if not ran and value != expected]
            if stale or len(cached.calls) != len(uncached.calls):
                report.survivors.append(f"{mutant.description}: cached {cached.values} != uncached {uncached.values}")
            elif not changed and cached.recomputed:
                report.redundant += 1
            unexplained = _unexplained(mutant, cached)
            if unexplained:
                report.errors.append(f"{mutant.description}: {unexplained}")
    return reports


#: words of a reason that name an input rather than a file's code
_INPUTS = ("argument", "environment variable", "command-line", "generator")


def _unexplained(mutant: "Mutant", cached: Outcome) -> str:
    """What is wrong with the reasons a mutant's recomputation gave (empty: nothing): every
    recomputation is explained (the library, run with CHECKPOINTING_STRICT=1, also fails a run
    whose explanation names no component), and the reasons name what the mutation touched (its
    file, or the input it changed)."""
    if not cached.recomputed:
        return ""
    reasons = cached.reasons
    if not reasons:
        return "recomputed without a reason logged"
    touched = mutant.description.split(" #", 1)[0]
    if mutant.description.startswith(("environment ", "argv ")):
        return "" if any(word in r for r in reasons for word in _INPUTS) else f"the reasons {reasons} name no input"
    name = touched.rsplit("/", 1)[-1]
    # the file, an input, the value the edit changed (main.py setting settings.FACTOR at import),
    # or a name the file defines (`Row.__new__`: the namedtuple Row of main.py)
    defined = _top_level_names(mutant.files.get(touched, ""))
    named = {n.split(".")[0] for r in reasons for n in re.findall(r"`([^`]+)`", r)}
    if any(name in r or "changed from" in r or any(word in r for word in _INPUTS) for r in reasons) or named & defined:
        return ""
    return f"the reasons {reasons} do not name {name}"


def _top_level_names(source: str) -> set:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _our_warnings(stderr: str) -> bool:
    """A warning that the call ran uncached (a value that could not be hashed, a failure)."""
    return "HashFailedWarning" in stderr or "CheckpointFailedWarning" in stderr


def programs() -> List[Path]:
    return sorted(p for p in PROGRAMS.iterdir() if (p / "main.py").exists())


def missing_packages(folder: Path) -> List[str]:
    """The packages the program imports (``"requires": [...]`` in program.json) not installed here."""
    import importlib.util

    meta = json.loads((folder / "program.json").read_text()) if (folder / "program.json").exists() else {}
    return [name for name in meta.get("requires", ()) if importlib.util.find_spec(name) is None]


def requires_python(folder: Path) -> Tuple[int, ...]:
    """The oldest Python whose grammar the program uses (``"python": "3.10"`` in program.json)."""
    meta = json.loads((folder / "program.json").read_text()) if (folder / "program.json").exists() else {}
    return tuple(int(part) for part in str(meta.get("python", "3.9")).split("."))
