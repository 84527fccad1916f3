"""The Ray path for real: a cluster on this machine, started as one is on
real machines (`ray start --head`, then `ray start --address` per worker
node): a head node that takes no case and two worker nodes of one CPU each.
A run there gives the entries a local run gives; a hang, a dying case, a
lost worker, a lost node and Ctrl-C do what they do locally, naming the
node."""
from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from optbench.core import cluster as cluster_module
from optbench.core.errors import ClusterError
from test_cli import assert_the_failing_claims_survived

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
RAY = Path(sys.executable).parent / "ray"

# One cluster for the module's tests on each xdist worker that runs some of
# them (xdist's loadgroup, which would keep them on one, does not group under
# pytest 9: it renames nodes in a way pytest 9 no longer reads).


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A head node that takes no case and two worker nodes of one CPU each.
    The lost-node test, last, leaves it one node short."""
    if not RAY.exists():
        pytest.skip("Ray is not installed")
    with cluster_module.LocalCluster(nodes=2, cpus=1,
                                     logs=tmp_path_factory.mktemp("ray-logs")) as running:
        yield running


def _verify(*args: str, env: dict | None = None, timeout: float = 300):
    return subprocess.run([sys.executable, "-m", "optbench", "verify", "--quick", *args],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def _module(tmp_path: Path, fixture: str) -> Path:
    """A claims module holding failing_claims' list `fixture`."""
    module = tmp_path / f"{fixture.lower()}_claims.py"
    module.write_text(f"import sys; sys.path.insert(0, {str(FIXTURES)!r})\n"
                      f"from failing_claims import {fixture} as CLAIMS\n")
    return module


def _by_key(path: Path) -> dict:
    return {(e["id"], e["workload"]["size"], e["workload"]["device"]): e
            for e in json.loads(path.read_text())["claims"]}


def _untimed(entry: dict) -> dict:
    """An entry less its timed hidden costs and its machine."""
    return {**entry, "machine": None,
            "secondary": {name: reading for name, reading in entry.get("secondary", {}).items()
                          if reading.get("kind") != "time"}}


# -- without a cluster ------------------------------------------------------

def test_without_ray_installed_the_run_is_refused_in_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)   # import ray raises ImportError
    with pytest.raises(ClusterError, match=r"Ray is not installed here \(pip install "
                                           r"'optbench\[ray\]'"):
        cluster_module.connect("127.0.0.1:6379")


def test_an_address_nothing_answers_is_refused_in_one_line():
    pytest.importorskip("ray")
    done = _verify("logger.buffered", "--executor", "ray", "--address",
                   f"127.0.0.1:{cluster_module.free_port()}", timeout=120)
    assert done.returncode == 2, done.stderr
    assert "--address 127.0.0.1:" in done.stderr and "no Ray cluster answers there" \
        in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_gpu_node_takes_a_cuda_case_first_and_a_cuda_case_waits_for_one():
    cpu = cluster_module.Node("a" * 8, "cpu-box", "10.0.0.1", 16, 0)
    gpu = cluster_module.Node("b" * 8, "gpu-box", "10.0.0.2", 16, 8)
    pending = collections.deque([(0, 1, "cuda"), (1, 1, "cpu"), (2, 1, "cuda")])
    assert cluster_module.next_case(gpu, pending, gpu_in_cluster=True) == (0, 1, "cuda")
    assert cluster_module.next_case(cpu, pending, gpu_in_cluster=True) == (1, 1, "cpu")
    only_cuda = collections.deque([(0, 1, "cuda")])
    assert cluster_module.next_case(cpu, only_cuda, gpu_in_cluster=True) is None
    # With no GPU anywhere, any node gives a CUDA case its "needs CUDA" entry.
    assert cluster_module.next_case(cpu, only_cuda, gpu_in_cluster=False) == (0, 1, "cuda")


# -- on the cluster ---------------------------------------------------------

def test_a_run_on_the_cluster_gives_the_entries_of_a_local_run(cluster, tmp_path):
    """Counted claims, a CUDA case included (not measurable on either): every
    entry the same but where it ran, and the run says which nodes took part."""
    claims = ("logger.buffered", "split.shared_helper", "fusion.masked_pool_clamp")
    local, remote = tmp_path / "local.json", tmp_path / "ray.json"
    assert _verify(*claims, "--json", str(local)).returncode == 0
    done = _verify(*claims, "--executor", "ray", "--address", cluster.address,
                   "--json", str(remote))
    assert done.returncode == 0, done.stderr
    here, there = _by_key(local), _by_key(remote)
    assert list(here) == list(there)   # the local order, whatever order they finished in
    for key, entry in here.items():
        # Timed hidden costs (logger.buffered's time per 100 calls) differ run
        # to run; the machine is this one, marked as measured on a Ray node.
        assert _untimed(there[key]) == _untimed(entry), key
        if "machine" in entry:
            assert there[key]["machine"].pop("executor") == "ray"
            assert there[key]["machine"].pop("fingerprint") != entry["machine"].pop("fingerprint")
            assert there[key]["machine"] == entry["machine"]
    run = json.loads(remote.read_text())["run"]
    assert run["executor"] == "ray" and run["cluster"]["address"] == cluster.address
    # Both worker nodes took cases; the head (no CPU) took none.
    assert len(run["cluster"]["nodes"]) == 2
    assert all(n["cpus"] == 1 for n in run["cluster"]["nodes"])


def test_on_the_cluster_claims_that_raise_hang_or_die_become_errors_naming_the_node(
        cluster, tmp_path):
    out = tmp_path / "r.json"
    done = _verify("--claims", str(FIXTURES / "failing_claims.py"), "--case-timeout", "10",
                   "--executor", "ray", "--address", cluster.address, "--json", str(out))
    reasons = assert_the_failing_claims_survived(done, out)   # as locally
    assert all(" (on node " in why for why in reasons.values()), reasons


def test_a_lost_worker_makes_its_case_an_error_naming_the_node(cluster, tmp_path):
    out = tmp_path / "r.json"
    done = _verify("--claims", str(_module(tmp_path, "LOST_WORKER")), "--executor", "ray",
                   "--address", cluster.address, "--json", str(out))
    assert done.returncode == 3, done.stderr
    entries = {e["id"]: e for e in json.loads(out.read_text())["claims"]}
    assert entries["fail.fine_before"]["verdict"] == "confirmed"
    assert entries["fail.fine_after"]["verdict"] == "confirmed"
    lost = entries["fail.kills_its_worker"]
    assert lost["verdict"] == "error"
    # WorkerCrashedError here; Ray may name the loss otherwise under load.
    assert "lost: " in lost["reason"] and "(node " in lost["reason"]


class _Run:
    """verify in the background, its stderr read line by line as it comes."""

    def __init__(self, tmp_path: Path, fixture: str, cluster):
        self.marker, self.out = tmp_path / "marker", tmp_path / "r.json"
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "optbench", "verify", "--quick", "--claims",
             str(_module(tmp_path, fixture)), "--executor", "ray", "--address",
             cluster.address, "--json", str(self.out)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            env={**os.environ, "OPTBENCH_TEST_MARKER": str(self.marker)},
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)

    def wait_for(self, *texts: str, timeout: float = 240) -> None:
        """Until the slow case has started and stderr holds every one of `texts`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if self.marker.exists() and self.marker.read_text() and all(
                    any(t in line for line in self.lines) for t in texts):
                return
            time.sleep(0.05)
        raise AssertionError(f"never saw {texts}: {''.join(self.lines)}")

    def slow_case(self) -> tuple[int, int]:
        """The slow case's worker and the child it forked."""
        worker, child = map(int, self.marker.read_text().split())
        return worker, child

    def finish(self) -> tuple[int, dict]:
        self.process.wait(timeout=120)
        return self.process.returncode, json.loads(self.out.read_text())


def _gone(pid: int, within: float = 15) -> bool:
    import psutil

    try:
        psutil.Process(pid).wait(timeout=within)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        psutil.Process(pid).kill()
        return False
    return True


def test_ctrl_c_on_the_cluster_cancels_the_cases_in_flight_and_keeps_what_finished(
        cluster, tmp_path):
    run = _Run(tmp_path, "LOST_NODE", cluster)   # slow, fine_before, fine_after
    run.wait_for("fail.fine_before", "fail.fine_after")
    _, child = run.slow_case()
    os.killpg(run.process.pid, signal.SIGINT)
    status, data = run.finish()
    assert status == 130, "".join(run.lines)
    assert data["run"]["incomplete"] is True
    assert [e["id"] for e in data["claims"]] == ["fail.fine_before", "fail.fine_after"]
    # The cancelled case's own child died with its worker.
    assert _gone(child), "the cancelled case's process outlived its worker"


def test_a_lost_node_makes_its_case_an_error_naming_it_and_the_rest_is_measured(
        cluster, tmp_path):
    run = _Run(tmp_path, "LOST_NODE", cluster)
    run.wait_for()
    worker, child = run.slow_case()
    lost = cluster.node_of(worker)
    cluster.kill(lost)
    status, data = run.finish()
    assert status == 3, "".join(run.lines)
    entries = {e["id"]: e for e in data["claims"]}
    assert list(entries) == ["fail.slow", "fail.fine_before", "fail.fine_after"]
    assert entries["fail.fine_before"]["verdict"] == "confirmed"
    assert entries["fail.fine_after"]["verdict"] == "confirmed"
    slow = entries["fail.slow"]
    assert slow["verdict"] == "error" and "lost: " in slow["reason"], slow
    assert "(node " in slow["reason"]
    assert _gone(child)
