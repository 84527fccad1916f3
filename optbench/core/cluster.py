"""Cases sent to a Ray cluster: `optbench verify --executor ray [--address A]`.

The unit is a case: one claim at one size on one device. Its variants (or a
system's configurations) are interleaved round by round, so a case never
spans machines, and no two cases share a node while timed: each task holds
all of its node's CPUs, a CUDA case a GPU as well, through Ray's resources.
Ray starts, places and runs the tasks. This module picks each task's node
itself, for two reasons one resource request cannot give: "all of a node's
CPUs" is a different number on every node, and a lost node's cases must be
named by node.

On the node, a task forks the same child a local run forks per claim
(engine.Forked, core/isolate.py), so isolation, the case timeout and the
callgrind witness are the local ones; what comes back is the entries as
JSON, each stamped with the machine that measured it.
"""
from __future__ import annotations

import collections
import contextlib
import importlib.machinery
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable

from . import isolate, registry, sanity
from .claim import Claim
from .errors import ClusterError
from .schema import Entry
from .verdict import ERROR

# A task's first case on a node imports the claims there (torch among them)
# before its own timeout starts; the driver allows this much on top of it
# before it cancels a task that never answers.
WORKER_START_SECONDS = 300.0
# How often the driver looks at the cluster's nodes (a lost node's cases
# become errors this soon) when no task has finished.
POLL_SECONDS = 1.0
# How long the head node's port may take to accept a connection.
CONNECT_SECONDS = 10.0
# A node whose task was lost takes no case for this long: Ray can report the
# task lost before its health checks call the node dead, and a case sent to
# it then would be lost without having run.
HOLD_SECONDS = 30.0

# The claims a worker process has loaded, by claims module: its later tasks
# reuse them (Ray reuses a worker for the next task of the same shape).
_LOADED: dict[str, dict[str, Claim]] = {}


def measure_on_node(claims_module: str | None, claim_id: str, size: int, device: str,
                    options) -> dict[str, Any]:
    """A Ray task's work: one case of the claim `claim_id` measured on this
    node as a local run measures it, its entries as JSON, and this node's
    optbench code (sources hash), which must be the driver's."""
    from . import engine

    key = claims_module or ""
    if key not in _LOADED:
        _LOADED[key] = {c.id: c for c in registry.claims(claims_module)}
    claim = _LOADED[key].get(claim_id)
    if claim is None:
        raise registry.ClaimsError(f"claim {claim_id} is not defined on this node")
    engine.set_threads(options.threads)
    with _main_of_a_local_run():
        entries = engine.local_executor(options).run(
            engine.one_case(claim, size, device), options,
            lambda s, d: (lambda _: None), lambda _: None)
    # The claim narrowed to one size would call every size its headline.
    headline = claim.headline(options.quick)
    return {"entries": [replace(e, headline=e.size == headline).to_json() for e in entries],
            "code": registry.sources_hash()}


@contextlib.contextmanager
def _main_of_a_local_run():
    """This worker's main module, while a case runs, as `python -m optbench`'s.
    A process a case spawns (AURA's stage processes) first runs its parent's
    main module, and a Ray worker's is Ray's worker script: a process spawned
    from a task held 711 modules, Ray among them, where one spawned under
    this stand-in held 124, as one spawned by a local run. (spawn skips a
    main module named like a package's __main__.)"""
    worker_main = sys.modules["__main__"]
    stand_in = types.ModuleType("__main__")
    stand_in.__spec__ = importlib.machinery.ModuleSpec("optbench.__main__", None)
    sys.modules["__main__"] = stand_in
    try:
        yield
    finally:
        sys.modules["__main__"] = worker_main


@dataclass(frozen=True)
class Node:
    id: str
    host: str
    address: str
    cpus: float
    gpus: float

    @property
    def label(self) -> str:
        return f"node {self.host} ({self.address}, {self.id[:8]})"

    def to_json(self) -> dict[str, Any]:
        return {"node": self.label, "cpus": self.cpus, "gpus": self.gpus}


@dataclass
class _Task:
    case: tuple[int, int, str]   # the claim's index in the run, size, device
    node: Node
    deadline: float


def _check_reachable(address: str) -> None:
    """A HOST:PORT nothing listens on is refused in seconds: Ray itself
    retries such an address for minutes before it gives up."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        if address != "auto":
            raise ClusterError(f"--address {address}: not HOST:PORT (or auto)")
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        raise ClusterError(f"--address {address}: no Ray cluster answers there "
                           f"({exc.strerror or exc})") from None


def connect(address: str | None):
    """Ray, connected to the cluster at `address` (None: what Ray finds, the
    RAY_ADDRESS variable or a cluster started on this machine, else a new
    one on this machine for this run)."""
    try:
        import ray
    except ImportError:
        raise ClusterError("--executor ray: Ray is not installed here (pip install "
                           "'optbench[ray]', on every node of the cluster too)") from None
    if address:
        _check_reachable(address)
    try:
        # Workers' output stays in the nodes' logs: with --markdown, stdout is
        # the comment alone, as in a local run.
        # The run's OPTBENCH_* settings travel with its tasks, as a local
        # run's children inherit them; the rest of a node's environment is
        # the node's own.
        forwarded = {k: v for k, v in os.environ.items() if k.startswith("OPTBENCH_")}
        ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR,
                 ignore_reinit_error=True,
                 runtime_env={"env_vars": forwarded} if forwarded else None)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        where = f"--address {address}" if address else "--executor ray"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ClusterError(f"{where}: cannot connect to a Ray cluster ({first})") from None
    return ray


def alive_nodes(ray) -> list[Node]:
    """The cluster's live nodes that can take a case (a node with no CPUs,
    such as a head node started with --num-cpus=0, takes none)."""
    found = []
    for node in ray.nodes():
        resources = node.get("Resources") or {}
        if node.get("Alive") and resources.get("CPU", 0) >= 1:
            found.append(Node(node["NodeID"], node.get("NodeManagerHostname") or "?",
                              node.get("NodeManagerAddress") or "?",
                              resources["CPU"], resources.get("GPU", 0.0)))
    return found


def next_case(node: Node, pending: collections.deque,
              gpu_in_cluster: bool) -> tuple[int, int, str] | None:
    """The first pending case `node` should take: a GPU node takes a CUDA
    case first; a CUDA case waits for a GPU node where the cluster has one
    (where it has none, any node gives it the entry a local run would:
    needs CUDA)."""
    if node.gpus >= 1:
        for case in pending:
            if case[2] == "cuda":
                return case
    for case in pending:
        if case[2] != "cuda" or not gpu_in_cluster:
            return case
    return None


class RayExecutor:
    """Every case of every claim as a task on a Ray cluster, gathered into
    the one run's entries in the local run's order."""

    name = "ray"

    def __init__(self, address: str | None, claims_module: str | None = None):
        self.address = address
        # A claims module given as a file: every node finds it at the same
        # absolute path (on one machine, whatever the worker's folder).
        if claims_module and Path(claims_module).is_file():
            claims_module = str(Path(claims_module).resolve())
        self.claims_module = claims_module
        self.nodes: dict[str, Node] = {}   # every node that took a case, by id

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name,
                "cluster": {"address": self.address or "auto",
                            "nodes": [n.to_json() for n in self.nodes.values()]}}

    def run_all(self, claims: Iterable[Claim], options,
                on_case: Callable[[Claim, int, str], Callable[[str], None]],
                on_done: Callable[[Entry], None]) -> list[Entry]:
        try:
            ray = connect(self.address)
        except KeyboardInterrupt:   # Ctrl-C while connecting: nothing measured yet
            raise isolate.Interrupted([]) from None
        run = _Dispatch(ray, list(claims), options, self.claims_module, on_case, on_done)
        try:
            return self._run(ray, run)
        finally:
            self.nodes = run.used
            ray.shutdown()

    def _run(self, ray, run: "_Dispatch") -> list[Entry]:
        """Until every case has an entry: each free node given the next case
        it should take, every answer gathered, the lost and the late made
        errors."""
        from ray import exceptions

        try:
            while run.pending or run.running:
                nodes = alive_nodes(ray)
                run.lose_the_cases_of_lost_nodes({n.id for n in nodes})
                if not nodes and not run.running:
                    run.give_up("not measured: no node of the cluster can take a case (none "
                                "alive with a CPU)")
                    break
                run.send(nodes)
                if not run.running:
                    time.sleep(POLL_SECONDS)
                    continue
                ready, _ = ray.wait(list(run.running), num_returns=1, timeout=POLL_SECONDS)
                for ref in ready:
                    run.gather(ref)
                run.cancel_the_late()
        except KeyboardInterrupt:
            # What finished is kept; the cases in flight are cancelled, and
            # their children die with their killed workers (isolate).
            run.cancel_all()
            raise isolate.Interrupted(run.in_order()) from None
        except (exceptions.RayError, ConnectionError) as exc:   # the cluster itself failing
            run.give_up(f"not measured: the connection to the cluster failed "
                        f"({type(exc).__name__}: {_first_line(exc)})")
        return run.in_order()


class _Dispatch:
    """One run's cases on a cluster: those waiting, those running (each on
    its node), and the entries each case gave."""

    def __init__(self, ray, claims: list[Claim], options, claims_module: str | None,
                 on_case, on_done):
        from . import engine

        self.ray, self.claims, self.options = ray, claims, options
        self.claims_module, self.on_case, self.on_done = claims_module, on_case, on_done
        self.error_entry = engine.error_entry
        self.task = ray.remote(max_retries=0)(measure_on_node)
        self.code = registry.sources_hash()
        self.allowed = (options.case_timeout * (2 if options.count_instructions else 1)
                        + WORKER_START_SECONDS)
        self.pending = collections.deque(
            (index, size, device) for index, claim in enumerate(claims)
            for size in claim.sizes(options.quick) for device in claim.devices)
        self.running: dict[Any, _Task] = {}
        self.measured: dict[tuple[int, int, str], list[Entry]] = {}
        self.used: dict[str, Node] = {}      # every node that took a case, by id
        self.held: dict[str, float] = {}     # node id -> until when it takes none

    def send(self, nodes: list[Node]) -> None:
        """Each node with no case running given the next case it should take."""
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        now = time.monotonic()
        busy = {task.node.id for task in self.running.values()}
        busy |= {node for node, until in self.held.items() if until > now}
        gpu_in_cluster = any(n.gpus >= 1 for n in nodes)
        for node in nodes:
            case = None if node.id in busy else next_case(node, self.pending, gpu_in_cluster)
            if case is None:
                continue
            self.pending.remove(case)
            index, size, device = case
            ref = self.task.options(
                num_cpus=node.cpus, num_gpus=1 if device == "cuda" and node.gpus >= 1 else 0,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node.id, soft=False),
            ).remote(self.claims_module, self.claims[index].id, size, device, self.options)
            self.running[ref] = _Task(case, node, time.monotonic() + self.allowed)
            self.used[node.id] = node
            self.on_case(self.claims[index], size, device)

    def gather(self, ref) -> None:
        """A finished task's entries, or the error that says why it has none."""
        from ray import exceptions

        task = self.running.pop(ref)
        try:
            answer = self.ray.get(ref)
        except exceptions.RayTaskError as exc:   # the task's own code raised
            cause = exc.cause if getattr(exc, "cause", None) is not None else exc
            self.fail(task, f"the task failed: {type(cause).__name__}: {_first_line(cause)}")
            return
        except exceptions.RayError as exc:   # its worker or node was lost, or it was cancelled
            self.held[task.node.id] = (float("inf") if isinstance(exc, exceptions.NodeDiedError)
                                       else time.monotonic() + HOLD_SECONDS)
            self.fail(task, f"lost: {type(exc).__name__}: {_first_line(exc)}")
            return
        if answer["code"] != self.code:
            self.fail(task, f"not measured: the node runs other optbench code (sources "
                            f"{answer['code']}, this run's {self.code}); install the same "
                            f"commit on every node")
            return
        # An error the node's own run reported says where it happened.
        self.finish(task.case, [replace(e, reason=f"{e.reason} (on {task.node.label})")
                                if e.verdict == ERROR else e
                                for e in map(Entry.from_json, answer["entries"])])

    def lose_the_cases_of_lost_nodes(self, alive: set[str]) -> None:
        for ref, task in list(self.running.items()):
            if task.node.id not in alive:
                self._drop(ref)
                self.fail(task, "lost: the node left the cluster while measuring it")

    def cancel_the_late(self) -> None:
        now = time.monotonic()
        for ref, task in list(self.running.items()):
            if now > task.deadline:
                self._drop(ref)
                self.fail(task, f"no answer after {self.allowed:,.0f} s (the case timeout, "
                                f"the witness's and a worker's start): cancelled")

    def cancel_all(self) -> None:
        for ref in list(self.running):
            self._drop(ref)

    def give_up(self, why: str) -> None:
        """Every case without an entry yet made an error saying `why`."""
        self.cancel_all()
        self.pending.clear()
        for index, claim in enumerate(self.claims):
            for size in claim.sizes(self.options.quick):
                for device in claim.devices:
                    if (index, size, device) not in self.measured:
                        self.finish((index, size, device), [self.error_entry(
                            claim, size, device, self.options.quick, why)])

    def fail(self, task: _Task, why: str) -> None:
        index, size, device = task.case
        self.finish(task.case, [self.error_entry(self.claims[index], size, device,
                                                 self.options.quick,
                                                 f"{why} ({task.node.label})")])

    def finish(self, case, entries: list[Entry]) -> None:
        self.measured[case] = entries
        for entry in entries:
            self.on_done(entry)

    def in_order(self) -> list[Entry]:
        return _in_order(self.claims, self.measured, self.options.quick)

    def _drop(self, ref) -> None:
        del self.running[ref]
        try:
            self.ray.cancel(ref, force=True)
        except Exception:  # noqa: BLE001 - already finished, or its node is gone
            pass


def _in_order(claims: list[Claim], measured: dict, quick: bool) -> list[Entry]:
    """The entries as a local run orders them (claim, size, device), each
    claim's checked together as a local run checks them."""
    out: list[Entry] = []
    for index, claim in enumerate(claims):
        entries: list[Entry] = []
        for size in claim.sizes(quick):
            for device in claim.devices:
                entries.extend(measured.get((index, size, device), ()))
        out.extend(sanity.check(entries))
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# -- a cluster on this machine ----------------------------------------------

class LocalCluster:
    """A Ray cluster on this machine, started as one is on real machines:
    `ray start --head` (taking no case), then `ray start --address` for each
    worker node; each node's processes are a process group of their own, so
    a node can be lost as a machine is lost. For the tests and
    tools/cluster_timing.py; `with LocalCluster(nodes=2, cpus=1) as c:`."""

    def __init__(self, nodes: int, cpus: int, logs: Path | None = None):
        self.nodes, self.cpus = nodes, cpus
        self.logs = Path(logs or tempfile.mkdtemp(prefix="optbench-ray-logs-"))
        self.address = ""
        self.groups: dict[str, Any] = {}   # "head", "node 1", ...: each `ray start --block`
        self._folders: list[str] = []

    def __enter__(self) -> "LocalCluster":
        try:
            self.address = f"127.0.0.1:{free_port()}"
            self._start("head", "--head", "--port", self.address.split(":")[1],
                        "--num-cpus", "0", "--include-dashboard=false")
            self._wait_for(1)
            # One after the other, each with a folder of its own for its
            # sockets (two nodes on one machine would share them; short: a
            # socket's path is at most 107 bytes).
            for number in range(1, self.nodes + 1):
                self._folders.append(tempfile.mkdtemp(prefix="optbench-ray-"))
                self._start(f"node {number}", "--address", self.address,
                            "--num-cpus", str(self.cpus), "--temp-dir", self._folders[-1])
                self._wait_for(1 + number)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for group in self.groups.values():
            try:
                os.killpg(group.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            group.wait()
        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)

    def node_of(self, pid: int) -> str:
        """Which node runs the process `pid` (a task's worker, say)."""
        import psutil

        for process in [psutil.Process(pid), *psutil.Process(pid).parents()]:
            for name, group in self.groups.items():
                if process.pid == group.pid:
                    return name
        raise ValueError(f"process {pid} runs on no node of this cluster")

    def kill(self, name: str) -> None:
        """Node `name` lost as a machine is lost: its raylet and workers at once."""
        os.killpg(self.groups[name].pid, signal.SIGKILL)
        self.groups[name].wait()

    def _start(self, name: str, *args: str) -> None:
        ray = Path(sys.executable).parent / "ray"
        with open(self.logs / f"{name}.log", "w") as log:
            self.groups[name] = subprocess.Popen(
                [str(ray), "start", *args, "--disable-usage-stats",
                 "--object-store-memory", str(100 * 2**20), "--block"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_for(self, count: int) -> None:
        """Until `count` nodes are alive (asked from a process of its own:
        this one stays free to connect to any cluster later)."""
        script = ("import ray, sys, time\n"
                  f"ray.init(address={self.address!r}, logging_level='ERROR')\n"
                  "deadline = time.monotonic() + 60\n"
                  f"while sum(n['Alive'] for n in ray.nodes()) < {count}:\n"
                  "    if time.monotonic() > deadline: sys.exit('the nodes never joined')\n"
                  "    time.sleep(0.2)\n")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            raise ClusterError(f"a local cluster's {count} node(s) did not start (logs in "
                               f"{self.logs}): {done.stderr.strip()[-300:]}")


def free_port() -> int:
    """A TCP port nothing on this machine listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
