"""Results files: atomic writes, clear errors naming the file, the environment."""
import json

import pytest

from optbench.core import results


def _document(verdict="confirmed", writes=100):
    return {"schema_version": results.SCHEMA_VERSION, "environment": {}, "claims": [{
        "id": "logger.buffered", "verdict": verdict, "kind": "counter",
        "metric": "write_syscalls", "workload": {"size": 1000, "device": "cpu"},
        "optimized": {"median": writes},
        "secondary": {"file_opens": {"kind": "counter", "values": {"optimized": 100}}},
    }]}


def test_save_is_atomic_and_loads_back(tmp_path):
    path = tmp_path / "deep" / "r.json"
    results.save(_document(), path)
    assert results.load(path) == _document()
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]  # no temp file left


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"benchmarks": []}', "not an optbench results file"),
    ('{"schema_version": 99, "claims": []}', "schema_version 99"),
    ('{"schema_version": 1, "claims": [1, 2]}', "not a list of claim entries"),
])
def test_bad_files_get_one_clear_error_naming_them(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(results.ResultsError, match=message) as info:
        results.load(path)
    assert str(path) in str(info.value)


def test_environment_names_the_machine():
    env = results.environment()
    for key in ("python", "torch", "cpu_model", "cores", "cuda_device", "git_commit",
                "git_dirty", "libraries", "pandas_string_storage", "load_average_at_start",
                "timestamp"):
        assert key in env
    json.dumps(env)
