"""Engine setup after the Helm release is Ready: recipes of exec steps and the runner that applies them.

Plain data and policy, no I/O: the Kubernetes exec transport is ``storefleet_operator.adapters.execs``.
Typical use by the operator::

    recipe = recipe_for(store.spec.engine, SetupContext(...))
    pod = await find_ready_pod(api, namespace, recipe.target.selector)
    await run_recipe(recipe.steps, KubernetesExecutor(api), completed, on_progress, pod=pod)
"""

from storefleet_operator.retry import RetryPolicy

from .context import AdminCredentials, SetupContext, StoreAddress, UnsafeSetupInput
from .medusa import medusa_recipe
from .recipes import MEDUSA_TARGET, WOOCOMMERCE_TARGET, ExecTarget, Recipe, recipe_for
from .runner import EngineSetupError, StepProgress, StepState, run_recipe
from .steps import ExecFailed, ExecResult, Executor, PodRef, Probe, SetupStep, SkipWhen
from .woocommerce import woocommerce_recipe

__all__ = [
    "MEDUSA_TARGET",
    "WOOCOMMERCE_TARGET",
    "AdminCredentials",
    "EngineSetupError",
    "ExecFailed",
    "ExecResult",
    "ExecTarget",
    "Executor",
    "PodRef",
    "Probe",
    "Recipe",
    "RetryPolicy",
    "SetupContext",
    "SetupStep",
    "SkipWhen",
    "StepProgress",
    "StepState",
    "StoreAddress",
    "UnsafeSetupInput",
    "medusa_recipe",
    "recipe_for",
    "run_recipe",
    "woocommerce_recipe",
]
