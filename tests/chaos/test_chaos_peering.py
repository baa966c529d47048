"""Two operator replicas in kopf peering, as the platform chart deploys them (``operator.replicas: 2``):
one of them handles Stores while the other stands by, and the one standing by takes over when the
active one is SIGKILLed.

Both replicas start with the default settings, as the chart's Deployment runs them. They used to join
the peering with the same priority, and kopf pauses every operator when it sees an equal one, so no
Store was ever handled.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from tests.chaos.chaoskit import ChaosPlatform, say
from tests.cluster.operator_support import OperatorProcess
from tests.support import wait_for

from storefleet_localcluster.platform import REPO_ROOT
from storefleet_operator import contract, naming

pytestmark = pytest.mark.chaos

PEERING_OBJECT = REPO_ROOT / "deploy" / "operator" / "peering-object.yaml"
SETTLE_SECONDS = 10
TAKEOVER_SECONDS = 180
"""kopf drops a peer that stopped answering after its lifetime (60 s), then the other resumes."""


def suspended_store(namespace: str, name: str) -> str:
    """A suspended Store: an operator that handles it says so in a condition within seconds."""
    return json.dumps(
        {
            "apiVersion": contract.API_VERSION,
            "kind": "Store",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"engine": "woocommerce", "displayName": f"Peering {name}", "suspend": True},
        }
    )


def log_messages(peer: OperatorProcess) -> list[str]:
    """The messages of a replica's JSON log lines, in order (other lines skipped)."""
    messages = []
    for line in peer.logs().splitlines():
        try:
            messages.append(str(json.loads(line).get("message", "")))
        except ValueError:
            continue
    return messages


def peering_lines(peer: OperatorProcess) -> list[str]:
    """What kopf logged about pausing and resuming, in order."""
    pausing = ("Pausing operations", "Pausing all operators", "Resuming operations")
    return [m for m in log_messages(peer) if m.startswith(pausing)]


def queue_lines(peer: OperatorProcess) -> list[str]:
    """What the store work queue's peering follower said, in order (``adapters.peering``)."""
    return [m for m in log_messages(peer) if m.startswith("peering ") and m.endswith(" this replica to work")]


def exists(chaos: ChaosPlatform, namespace: str, name: str) -> bool:
    return f"{namespace}/{name}" in chaos.stores()


def handled(chaos: ChaosPlatform, namespace: str, name: str) -> bool:
    """Some operator said the Store is suspended (condition Suspended=True)."""
    store = chaos.stores().get(f"{namespace}/{name}") or {}
    conditions = (store.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Suspended" and c.get("status") == "True" for c in conditions)


@pytest.fixture
def replicas(chaos: ChaosPlatform) -> Iterator[list[OperatorProcess]]:
    """The tier's standalone operator stopped, two peering replicas started; the reverse afterwards."""
    chaos.cluster.kubectl("apply", "-f", str(PEERING_OBJECT))
    chaos.operator.stop()
    peers = []
    try:
        for index in range(2):
            peer = OperatorProcess(chaos.cluster, {"STOREFLEET_OPERATOR_STANDALONE": "0"})
            peer.log_path = chaos.cluster.run_dir / "logs" / f"operator-replica-{index}.log"
            peers.append(peer)
            peer.start()
        yield peers
    finally:
        for peer in peers:
            peer.stop()
        chaos.operator.start()
        chaos.cluster.kubectl("delete", "-f", str(PEERING_OBJECT), "--ignore-not-found", check=False)


def test_one_of_two_replicas_handles_stores_and_the_other_takes_over_when_it_dies(
    chaos: ChaosPlatform, replicas: list[OperatorProcess]
) -> None:
    _, tenant = chaos.new_tenant(store_limit=4)
    namespace = naming.tenant_namespace(tenant)
    first, second = "peering-first", "peering-second"
    chaos.cluster.kubectl("create", "-f", "-", input=suspended_store(namespace, first))
    wait_for(lambda: handled(chaos, namespace, first), "a replica to handle the first Store", timeout=60)

    def working() -> list[OperatorProcess]:
        """Replicas whose last word on peering is that they resume. Every replica starts paused until its
        first look at the peering; one that then sees a higher priority stays paused without a word."""
        return [peer for peer in replicas if (peering_lines(peer) or [""])[-1].startswith("Resuming")]

    def one_working_for_a_while() -> bool:
        now_working = working()
        if len(now_working) != 1:
            return False
        time.sleep(SETTLE_SECONDS)  # not the moment before the other one speaks
        return working() == now_working

    def peers_seen() -> int:
        peering = chaos.kubectl_json("get", "clusterkopfpeering", "storefleet", "-o", "json")
        return len(peering.get("status") or {})

    wait_for(lambda: peers_seen() >= 2, "both replicas in the peering", timeout=60)
    try:
        wait_for(one_working_for_a_while, "exactly one replica to work", timeout=120)
    except AssertionError:
        for peer in replicas:
            say(f"replica pid {peer.pid}: {peering_lines(peer)}")
        raise
    [active] = working()
    idle = next(peer for peer in replicas if peer is not active)
    # The work queue follows the same peering: it may work in the active replica only.
    assert queue_lines(active)[-1:] == ["peering allows this replica to work"], queue_lines(active)
    assert queue_lines(idle)[-1:] == ["peering does not allow this replica to work"], queue_lines(idle)
    say(f"active replica pid {active.pid}, standing by pid {idle.pid}; SIGKILL the active one")
    active.kill()
    chaos.cluster.kubectl("create", "-f", "-", input=suspended_store(namespace, second))
    wait_for(
        lambda: handled(chaos, namespace, second),
        "the replica that stood by to take over",
        timeout=TAKEOVER_SECONDS,
    )
    assert idle.alive()
    assert queue_lines(idle)[-1:] == ["peering allows this replica to work"], queue_lines(idle)
    for name in (first, second):
        chaos.kubectl_store("delete", namespace, name)
    wait_for(lambda: not any(exists(chaos, namespace, n) for n in (first, second)), "both Stores deleted", timeout=60)
