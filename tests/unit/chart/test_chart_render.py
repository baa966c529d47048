"""What `helm template` makes of a store: objects per engine, selectors, pods' safety and shape."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.chart.chartkit import (
    RELEASE,
    SECRET,
    containers,
    env_of,
    named,
    names,
    of_kind,
    operator_values,
    pod_labels,
    pod_spec,
    render,
    scenario,
    workloads,
)

pytestmark = pytest.mark.unit

PROFILES = ["default", "local", "vps"]
ENGINES = [("woocommerce", False), ("medusa", False), ("medusa", True)]
ENGINE_IDS = ["woocommerce", "medusa", "medusa-storefront"]

EXPECTED: dict[tuple[str, bool], dict[str, set[str]]] = {
    ("woocommerce", False): {
        "Deployment": {"shop-wordpress"},
        "StatefulSet": {"shop-mariadb"},
        "Service": {"shop-wordpress", "shop-mariadb"},
        "PersistentVolumeClaim": {"shop-wordpress"},
    },
    ("medusa", False): {
        "Deployment": {"shop-medusa"},
        "StatefulSet": {"shop-postgres"},
        "Service": {"shop-medusa", "shop-postgres"},
        "PersistentVolumeClaim": set(),
    },
    ("medusa", True): {
        "Deployment": {"shop-medusa", "shop-storefront"},
        "StatefulSet": {"shop-postgres"},
        "Service": {"shop-medusa", "shop-postgres", "shop-storefront"},
        "PersistentVolumeClaim": set(),
    },
}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("engine", "storefront"), ENGINES, ids=ENGINE_IDS)
def test_each_engine_renders_only_its_own_workloads(engine: str, storefront: bool, profile: str) -> None:
    objs = scenario(engine, storefront, profile)
    for kind, expected in EXPECTED[(engine, storefront)].items():
        assert names(objs, kind) == expected, kind


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("engine", "storefront"), ENGINES, ids=ENGINE_IDS)
def test_every_store_gets_isolation_quota_and_limits(engine: str, storefront: bool, profile: str) -> None:
    objs = scenario(engine, storefront, profile)
    assert names(objs, "NetworkPolicy") == {"shop-isolation", "shop-ingress"}
    assert names(objs, "ResourceQuota") == {"shop-quota"}
    assert names(objs, "LimitRange") == {"shop-limits"}
    assert names(objs, "Ingress") == {"shop"}
    # Credentials only ever come from the operator's Secret.
    assert of_kind(objs, "Secret") == []
    assert of_kind(objs, "ConfigMap") == []


@pytest.mark.parametrize(("engine", "storefront"), ENGINES, ids=ENGINE_IDS)
def test_selectors_carry_the_component_and_match_no_other_pod(engine: str, storefront: bool) -> None:
    """Predecessor bug B6: its Postgres pod matched the Medusa selector, so exec could land in the DB."""
    objs = scenario(engine, storefront, "default")
    pods = {f"{w['kind']}/{w['metadata']['name']}": pod_labels(w) for w in workloads(objs)}
    selectors = {f"{w['kind']}/{w['metadata']['name']}": w["spec"]["selector"]["matchLabels"] for w in workloads(objs)}
    selectors |= {f"Service/{s['metadata']['name']}": s["spec"]["selector"] for s in of_kind(objs, "Service")}
    for owner, selector in selectors.items():
        assert set(selector) == {
            "app.kubernetes.io/name",
            "app.kubernetes.io/instance",
            "app.kubernetes.io/component",
        }, owner
        matched = [pod for pod, labels in pods.items() if selector.items() <= labels.items()]
        assert len(matched) == 1, f"{owner} selects {matched}"
    components = sorted(labels["app.kubernetes.io/component"] for labels in pods.values())
    expected = {
        ("woocommerce", False): ["mariadb", "wordpress"],
        ("medusa", False): ["medusa", "postgres"],
        ("medusa", True): ["medusa", "postgres", "storefront"],
    }[(engine, storefront)]
    assert components == expected


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("engine", "storefront"), ENGINES, ids=ENGINE_IDS)
def test_every_container_declares_requests_and_limits(engine: str, storefront: bool, profile: str) -> None:
    # The store namespace has a ResourceQuota: admission rejects a pod whose containers lack any of these.
    found = containers(scenario(engine, storefront, profile))
    assert found
    for c in found:
        resources = c.spec.get("resources", {})
        for section in ("requests", "limits"):
            assert set(resources.get(section, {})) >= {"cpu", "memory"}, c.id


@pytest.mark.parametrize(("engine", "storefront"), ENGINES, ids=ENGINE_IDS)
def test_every_long_running_container_has_probes(engine: str, storefront: bool) -> None:
    for c in containers(scenario(engine, storefront, "default")):
        if c.init or c.owner.startswith("Pod/"):
            continue  # init and test containers run to completion; Kubernetes allows them no probes
        assert "readinessProbe" in c.spec, c.id
        if c.name != "wp-cli":  # an idle sidecar has no failure a restart would fix
            assert "livenessProbe" in c.spec, c.id


SECURITY: list[tuple[str, str, int | None, int | None]] = [
    # (component workload, container, runAsUser, pod fsGroup)
    ("Deployment/shop-wordpress", "wp-cli", 33, 33),
    ("StatefulSet/shop-mariadb", "mariadb", 999, 999),
    ("StatefulSet/shop-postgres", "postgres", 70, 70),
    ("Deployment/shop-medusa", "migrate", 1000, 1000),
    ("Deployment/shop-medusa", "seed", 1000, 1000),
    ("Deployment/shop-medusa", "medusa", 1000, 1000),
    ("Deployment/shop-storefront", "storefront", 101, None),
]


@pytest.mark.parametrize(
    ("owner", "container", "uid", "fs_group"),
    SECURITY,
    ids=[f"{o.split('/')[1]}-{c}" for o, c, _, _ in SECURITY],
)
def test_containers_run_as_their_images_unprivileged_user(
    owner: str, container: str, uid: int, fs_group: int | None
) -> None:
    engine = "woocommerce" if "wordpress" in owner or "mariadb" in owner else "medusa"
    objs = scenario(engine, engine == "medusa", "default")
    kind, name = owner.split("/")
    workload = named(objs, kind, name)
    (c,) = [c for c in containers([workload]) if c.name == container]
    security = c.spec["securityContext"]
    assert security["runAsUser"] == uid
    assert security["runAsNonRoot"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert pod_spec(workload)["securityContext"].get("fsGroup") == fs_group


def test_apache_starts_as_root_but_keeps_only_the_capabilities_it_needs() -> None:
    # The official apache image binds :80 and copies WordPress as root, then its workers drop to uid 33.
    wordpress = named(scenario("woocommerce", False, "default"), "Deployment", "shop-wordpress")
    (c,) = [c for c in containers([wordpress]) if c.name == "wordpress"]
    security = c.spec["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert "SYS_ADMIN" not in security["capabilities"]["add"]
    assert "NET_BIND_SERVICE" in security["capabilities"]["add"]


@pytest.mark.parametrize(("engine", "storefront"), ENGINES, ids=ENGINE_IDS)
def test_store_pods_get_no_api_token(engine: str, storefront: bool) -> None:
    for workload in workloads(scenario(engine, storefront, "default")):
        spec = pod_spec(workload)
        assert spec["automountServiceAccountToken"] is False, workload["metadata"]["name"]
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}


def test_pods_holding_a_readwriteonce_volume_are_recreated_not_surged() -> None:
    wordpress = named(scenario("woocommerce", False, "default"), "Deployment", "shop-wordpress")
    assert wordpress["spec"]["strategy"] == {"type": "Recreate"}
    volumes = pod_spec(wordpress)["volumes"]
    assert volumes == [{"name": "html", "persistentVolumeClaim": {"claimName": "shop-wordpress"}}]
    medusa = named(scenario("medusa", True, "default"), "Deployment", "shop-medusa")
    assert medusa["spec"]["strategy"]["type"] == "RollingUpdate"
    assert "volumes" not in pod_spec(medusa)


def test_wp_cli_sidecar_shares_wordpress_files_and_database_settings() -> None:
    wordpress = named(scenario("woocommerce", False, "default"), "Deployment", "shop-wordpress")
    by_name = {c["name"]: c for c in pod_spec(wordpress)["containers"]}
    assert list(by_name) == ["wordpress", "wp-cli"]
    apache, cli = by_name["wordpress"], by_name["wp-cli"]
    assert cli["image"] == "wordpress:cli-2.11-php8.2"
    assert cli["volumeMounts"] == apache["volumeMounts"] == [{"name": "html", "mountPath": "/var/www/html"}]
    db_env = {k: v for k, v in env_of(cli).items() if k.startswith("WORDPRESS_DB_")}
    assert db_env == env_of(apache)
    assert set(db_env) == {
        "WORDPRESS_DB_HOST",
        "WORDPRESS_DB_NAME",
        "WORDPRESS_DB_USER",
        "WORDPRESS_DB_PASSWORD",
    }
    assert db_env["WORDPRESS_DB_HOST"]["value"] == "shop-mariadb:3306"
    assert env_of(cli)["HOME"] == {"name": "HOME", "value": "/tmp"}
    # It idles until the operator execs into it, and stops at once on TERM instead of after the grace period.
    assert cli["command"][:2] == ["sh", "-c"]
    assert "trap 'exit 0' TERM" in cli["command"][2]


def test_baked_image_runs_both_wordpress_containers() -> None:
    objs = render(operator_values("woocommerce", woocommerce={"bakedImage": {"enabled": True}}))
    wordpress = named(objs, "Deployment", "shop-wordpress")
    images = {c["name"]: c["image"] for c in pod_spec(wordpress)["containers"]}
    assert images == {
        "wordpress": "storefleet/wordpress-woocommerce:6.7-wc9.5.2-sf.1",
        "wp-cli": "storefleet/wordpress-woocommerce:6.7-wc9.5.2-sf.1",
    }


def test_medusa_migrates_and_seeds_before_the_server_starts() -> None:
    medusa = named(scenario("medusa", False, "default"), "Deployment", "shop-medusa")
    spec = pod_spec(medusa)
    init = [(c["name"], c["command"], c["image"]) for c in spec["initContainers"]]
    image = "storefleet/medusa:1.20.11-sf.1"
    assert init == [
        ("migrate", ["storefleet-medusa", "migrate"], image),
        ("seed", ["storefleet-medusa", "seed-if-empty"], image),
    ]
    (server,) = spec["containers"]
    assert server["name"] == "medusa"
    assert server["command"] == ["/app/node_modules/.bin/medusa", "start", "-H", "0.0.0.0", "-p", "9000"]  # noqa: S104 (in-pod bind)
    assert all(c["env"] == server["env"] for c in spec["initContainers"])
    env = env_of(server)
    assert env["MEDUSA_DISABLE_TELEMETRY"]["value"] == "true"
    assert env["NODE_ENV"]["value"] == "production"
    assert server["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert server["ports"] == [{"name": "http", "containerPort": 9000, "protocol": "TCP"}]


@pytest.mark.parametrize(("engine", "storefront"), ENGINES, ids=ENGINE_IDS)
def test_every_image_is_pinned_to_a_version(engine: str, storefront: bool) -> None:
    for c in containers(scenario(engine, storefront, "default")):
        image: str = c.spec["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest", c.id
        assert c.spec["imagePullPolicy"] == "IfNotPresent", c.id


def test_pull_policy_and_registry_are_configurable() -> None:
    objs = render(
        operator_values("medusa", medusa={"image": {"pullPolicy": "Always"}})
        | {"global": {"imageRegistry": "registry.internal:5000/"}}
    )
    images = {c.name: (c.spec["image"], c.spec["imagePullPolicy"]) for c in containers(objs)}
    assert images["medusa"] == ("registry.internal:5000/storefleet/medusa:1.20.11-sf.1", "Always")
    assert images["postgres"] == ("registry.internal:5000/postgres:16-alpine", "IfNotPresent")


@pytest.mark.parametrize(
    ("storage_class", "expected"),
    [("", None), ("fast-ssd", "fast-ssd"), ("-", "")],
    ids=["cluster-default", "named", "static-pvs-only"],
)
def test_storage_class_applies_to_every_volume(storage_class: str, expected: str | None) -> None:
    objs = render(operator_values("woocommerce") | {"global": {"storageClass": storage_class}})
    claims: list[dict[str, Any]] = [pvc["spec"] for pvc in of_kind(objs, "PersistentVolumeClaim")]
    claims += [t["spec"] for s in of_kind(objs, "StatefulSet") for t in s["spec"]["volumeClaimTemplates"]]
    assert len(claims) == 2
    for claim in claims:
        assert claim.get("storageClassName") == expected
        assert claim["accessModes"] == ["ReadWriteOnce"]


def test_labels_name_the_store_and_tenant() -> None:
    for obj in scenario("medusa", True, "default"):
        labels = obj["metadata"]["labels"]
        assert labels["storefleet.io/store"] == RELEASE
        assert labels["storefleet.io/tenant"] == "alice"
        assert labels["storefleet.io/engine"] == "medusa"
        assert labels["app.kubernetes.io/instance"] == RELEASE


def test_database_data_is_removed_with_the_release() -> None:
    for engine, name in (("woocommerce", "shop-mariadb"), ("medusa", "shop-postgres")):
        statefulset = named(scenario(engine, False, "default"), "StatefulSet", name)
        assert statefulset["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"] == "Delete"
        assert statefulset["spec"]["serviceName"] == name
        assert named(scenario(engine, False, "default"), "Service", name)["spec"]["clusterIP"] == "None"


def test_credentials_secret_name_is_taken_from_values() -> None:
    refs = {
        e["valueFrom"]["secretKeyRef"]["name"]
        for c in containers(scenario("medusa", True, "default"))
        for e in c.spec.get("env", [])
        if "valueFrom" in e
    }
    assert refs == {SECRET}
