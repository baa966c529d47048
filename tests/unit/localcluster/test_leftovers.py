"""The record a real node leaves in /run while it lives: what the next start reads to undo a node whose
owner died (the cleanup itself needs root and a node: tests/realnode/test_node_cleanup.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storefleet_localcluster import leftovers

pytestmark = pytest.mark.unit

RECORD = leftovers.NodeRecord(
    pid=4242, run_dir="/dev/shm/storefleet-abcd1234", cgroup_root="/storefleet-abcd1234",
    sysctls={"kernel.panic": "0", "vm.overcommit_memory": "0"},
    chains_before=("iptables/filter/INPUT",), nft_tables_before=("ip filter",), host_dirs_before=("/var/lib/cni",),
)  # fmt: skip


def test_a_written_record_reads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "realnode.json"
    leftovers.write(RECORD, path)
    assert leftovers.read(path) == RECORD
    assert RECORD.node_root == Path("/dev/shm/storefleet-abcd1234/node")
    leftovers.clear(path)
    assert leftovers.read(path) is None


def test_a_damaged_record_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "realnode.json"
    path.write_text('{"pid": 1}')
    with pytest.raises(RuntimeError, match="remove its leftovers by hand"):
        leftovers.read(path)
