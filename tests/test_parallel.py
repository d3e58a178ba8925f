"""Audits of many files give the same output however they are computed:
in this process, in forked workers (--jobs), or on a Dask LocalCluster
listening on 127.0.0.1 only."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivr.cli import cli
from ivr.errors import IvrError
from ivr.parallel import chunk_size, parallel_map

ROOT = Path(__file__).resolve().parents[1]


def _files(tmp_path: Path) -> list[str]:
    """The three bundled menus, a renamed copy of the maze, and a broken file (one bad input
    must not hide the others' results)."""
    shutil.copytree(ROOT / "menus", tmp_path / "menus")
    maze = tmp_path / "menus" / "maze-copy.yaml"
    maze.write_text((ROOT / "menus" / "maze.yaml").read_text("utf-8").replace("id: maze", "id: maze-copy", 1),
                    "utf-8")
    broken = tmp_path / "menus" / "broken.yaml"
    broken.write_text("id: x\nnodes: [\n", "utf-8")
    names = ["maze.yaml", "12351-hotline.yaml", "broken.yaml", "consumer-service.yaml", "maze-copy.yaml"]
    return [str(tmp_path / "menus" / n) for n in names]


def _audit(paths: list[str], *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "--format", "json", *extra, *paths])
    return result.exit_code, result.stdout


def _square(x: int) -> int:
    return x * x


def test_parallel_map_keeps_order_and_ticks_once_per_item():
    seen = []
    assert parallel_map(_square, range(23), jobs=2, tick=seen.append) == [x * x for x in range(23)]
    assert sorted(seen) == [x * x for x in range(23)]
    assert chunk_size(1000, 2) == 125 and chunk_size(3, 2) == 1


def test_jobs_2_forks_and_gives_the_same_json(tmp_path):
    paths = _files(tmp_path)
    code1, one = _audit(paths, "--jobs", "1")
    code2, two = _audit(paths, "--jobs", "2")
    assert code1 == code2 == 2   # the broken file is an input error; the others are still reported
    assert one == two and one.count('"menu":') == 4


def test_dask_local_cluster_gives_byte_identical_json(tmp_path):
    pytest.importorskip("distributed")
    paths = _files(tmp_path)
    code1, one = _audit(paths, "--jobs", "1")
    code_d, distributed = _audit(paths, "--dask", "local", "--jobs", "2")
    assert code_d == code1 and distributed == one


def test_a_running_scheduler_by_address_gives_the_same_json(tmp_path):
    distributed = pytest.importorskip("distributed")
    paths = _files(tmp_path)[:2]
    _, one = _audit(paths)
    with distributed.LocalCluster(n_workers=1, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        code, remote = _audit(paths, "--dask", cluster.scheduler_address)
    assert code == 1 and remote == one


def test_an_unreachable_scheduler_is_a_clean_input_error(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("ivr.parallel.CONNECT_TIMEOUT_S", 2)
    with pytest.raises(IvrError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        parallel_map(_square, [1, 2], dask="tcp://127.0.0.1:9")
    result = CliRunner().invoke(cli, ["audit", "--dask", "tcp://127.0.0.1:9", str(ROOT / "menus" / "maze.yaml")])
    assert result.exit_code == 2 and "Traceback" not in result.output and "--dask local" in result.stderr
