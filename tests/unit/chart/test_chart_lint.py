"""`helm lint --strict` of the store chart: every shipped values file, alone or under operator values."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.chart.chartkit import CHART, CI_VALUES, PROFILES, lint, operator_values

pytestmark = pytest.mark.unit


def test_the_chart_ships_ci_scenarios_for_both_engines() -> None:
    engines = {path.read_text().split("engine:", 1)[1].split()[0] for path in CI_VALUES}
    assert engines == {"woocommerce", "medusa"}


@pytest.mark.parametrize("values_file", CI_VALUES, ids=lambda p: p.name)
def test_ci_scenario_lints_clean(values_file: Path) -> None:
    result = lint(None, [values_file])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("profile", ["default", "local", "vps"])
@pytest.mark.parametrize(
    ("engine", "storefront"),
    [("woocommerce", False), ("medusa", False), ("medusa", True)],
    ids=["woocommerce", "medusa", "medusa-storefront"],
)
def test_environment_values_lint_clean_under_operator_values(profile: str, engine: str, storefront: bool) -> None:
    host = None if profile == "local" else "shop.example.test"
    result = lint(operator_values(engine, storefront=storefront, host=host), PROFILES[profile])
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_of_bare_defaults_names_the_missing_credentials_secret() -> None:
    # The defaults alone are not a store: the operator always names the credentials Secret.
    result = lint(None)
    assert "credentials.existingSecret is required" in result.stdout + result.stderr


@pytest.mark.parametrize("values_file", ["values.yaml", "values-local.yaml", "values-vps.yaml"])
def test_values_files_point_editors_at_the_schema(values_file: str) -> None:
    first_line = (CHART / values_file).read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=values.schema.json"
