"""Which recipe runs for an engine, and in which pod and container.

The operator calls ``recipe_for(engine, ctx)``, finds the pod with ``recipe.target.selector`` (the
component label, never the app name: the database pods share that, bug B6), then hands
``recipe.steps`` to ``run_recipe``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from . import medusa, woocommerce
from .context import SetupContext
from .steps import SetupStep

Engine = Literal["woocommerce", "medusa"]
COMPONENT_LABEL: Final = "app.kubernetes.io/component"


@dataclass(frozen=True)
class ExecTarget:
    """The pod (by component label) and container a recipe's commands run in."""

    component: str
    container: str

    @property
    def selector(self) -> str:
        return f"{COMPONENT_LABEL}={self.component}"


@dataclass(frozen=True)
class Recipe:
    engine: Engine
    version: str
    """Bumped when the step list changes meaning, so status can tell which recipe a store went through."""
    target: ExecTarget
    steps: tuple[SetupStep, ...]

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.steps)


WOOCOMMERCE_TARGET: Final = ExecTarget(woocommerce.COMPONENT, woocommerce.CONTAINER)
MEDUSA_TARGET: Final = ExecTarget(medusa.COMPONENT, medusa.CONTAINER)


def recipe_for(engine: Engine, ctx: SetupContext) -> Recipe:
    if engine == "woocommerce":
        steps = woocommerce.woocommerce_recipe(ctx)
        return Recipe("woocommerce", woocommerce.RECIPE_VERSION, WOOCOMMERCE_TARGET, steps)
    if engine == "medusa":
        return Recipe("medusa", medusa.RECIPE_VERSION, MEDUSA_TARGET, medusa.medusa_recipe(ctx))
    raise ValueError(f"unknown engine {engine!r}; expected woocommerce or medusa")
