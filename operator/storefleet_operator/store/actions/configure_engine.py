"""ConfigureEngine: run the engine's setup recipe in the store's pod, resumably.

Finished steps are recorded in ``status.setup.completedSteps`` and written at most every
``CHECKPOINT_EVERY_SECONDS`` (and always at the end of the pass), so an operator killed half-way resumes
near where it stopped; progress of every step shows in ``status.steps``.
The runner retries each command with backoff; a step that still fails fails the store (Stalled), and
READY never lies about a store whose setup did not finish (predecessor bug B7). A pass hands back control
after its deadline or when the store's pass is asked to stop, between steps, never inside one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from storefleet_operator import naming
from storefleet_operator.adapters.execs import PodNotFound
from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.engines import (
    AdminCredentials,
    EngineSetupError,
    Recipe,
    RetryPolicy,
    SetupContext,
    StepProgress,
    StepState,
    UnsafeSetupInput,
    recipe_for,
    run_recipe,
)
from storefleet_operator.models import (
    ENGINE_CONFIGURED,
    ConditionStatus,
    Reason,
    SetupStatus,
    StoreStatus,
    set_condition,
)
from storefleet_operator.settings import OperatorSettings
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.progress import in_progress
from storefleet_operator.store.context import Deps, Next, Pass, StepFailed, decide_again

CHECKPOINT_EVERY_SECONDS: Final = 2.0
"""Finished steps are written at most this often mid-pass. Every recipe step is idempotent (or guarded),
so an operator killed in between re-runs at most this much of the recipe; a recipe of quick steps costs
one status write at the end of its pass instead of one per step (a Store status PATCH each)."""
STEP_SETUP: Final = "engine-setup"
"""Named in status only when setup fails before any recipe step can run (no pod, bad input)."""


class _HandBack(Exception):
    """Raised from the progress callback to stop before the next step (deadline, or asked to stop)."""

    def __init__(self, step: str) -> None:
        super().__init__(step)
        self.step = step


def completed_for(status: StoreStatus, recipe: Recipe) -> list[str]:
    """Completed steps carry over only within the same recipe version."""
    setup = status.setup
    if setup is None or setup.recipe_version != recipe.version:
        return []
    return [name for name in setup.completed_steps if name in recipe.step_names]


def with_completed(status: StoreStatus, recipe: Recipe, completed: list[str]) -> StoreStatus:
    setup = SetupStatus(recipe_version=recipe.version, completed_steps=list(completed))
    return status.model_copy(update={"setup": setup})


def apply_progress(status: StoreStatus, event: StepProgress, now: datetime) -> StoreStatus:
    """One runner report as a status step (state, timing, attempts, message)."""
    if event.state is StepState.STARTED:
        return st.start_step(status, event.step, event.title, now)
    if event.state is StepState.RETRYING:
        return st.progress_step(status, event.step, event.message)
    if event.state in (StepState.SUCCEEDED, StepState.SKIPPED):
        message = f"{event.title}: {event.message}"
        return st.succeed_step(status, event.step, message, now, attempts=max(1, event.attempt))
    return st.fail_step(status, event.step, event.message, now, attempts=event.attempt)


def retry_policy(settings: OperatorSettings) -> RetryPolicy:
    return RetryPolicy(
        attempts=settings.step_max_attempts,
        base_delay=settings.retry_base_delay_seconds,
        max_delay=settings.retry_max_delay_seconds,
    )


async def _recipe(p: Pass, deps: Deps, site_url: str) -> Recipe:
    store, namespace = p.store, p.snapshot.namespace
    secret = naming.credentials_secret_name(store.metadata.name)
    try:
        data = await deps.kube.read_secret_data(namespace, secret)
    except KubeError as exc:
        raise StepFailed(STEP_SETUP, Reason.ENGINE_SETUP_FAILED, f"cannot read the credentials: {exc}") from None
    if not data or not {"admin-username", "admin-email", "admin-password"} <= data.keys():
        raise StepFailed(
            STEP_SETUP, Reason.ENGINE_SETUP_FAILED, f"the credentials Secret {namespace}/{secret} lacks the admin keys"
        )
    admin = AdminCredentials(data["admin-username"], data["admin-email"], data["admin-password"])
    ctx = SetupContext(
        display_name=store.spec.display_name,
        site_url=site_url,
        admin=admin,
        theme=store.spec.woocommerce_options().theme,
        baked=deps.settings.baked_images,
    )
    try:
        return recipe_for(store.spec.engine, ctx)
    except UnsafeSetupInput as exc:
        raise StepFailed(STEP_SETUP, Reason.ENGINE_SETUP_FAILED, str(exc), permanent=True) from None


@dataclass(frozen=True)
class ConfigureEngine(Action):
    needs_slot: bool = True

    async def run(self, p: Pass, deps: Deps) -> Next:
        s, engine = p.snapshot, p.store.spec.engine
        site_url = s.urls.url or f"{deps.settings.url_scheme}://{s.desired.host if s.desired else s.namespace}"
        recipe = await _recipe(p, deps, site_url)
        completed = completed_for(p.status, recipe)
        p.status = with_completed(p.status, recipe, completed)
        remaining = [step for step in recipe.steps if step.name not in completed]
        now = deps.clock()
        if not completed:
            message = f"Configuring {engine}: {len(recipe.steps)} setup steps"
            _announce(p, "Unknown", Reason.CONFIGURING_ENGINE, message, now)
        try:
            pod = await deps.kube.find_ready_pod(s.namespace, recipe.target.selector)
        except (PodNotFound, KubeError) as exc:
            first = remaining[0].name if remaining else STEP_SETUP
            raise StepFailed(first, Reason.ENGINE_SETUP_FAILED, f"no pod to run setup in: {exc}") from None

        last_written = deps.monotonic()

        async def on_progress(event: StepProgress) -> None:
            nonlocal last_written
            if event.state is StepState.SKIPPED and event.attempt == 0:
                return  # completed in an earlier pass; already in status
            if event.state is StepState.STARTED and (deps.monotonic() > p.deadline or p.stopping()):
                raise _HandBack(event.step)
            p.status = apply_progress(p.status, event, deps.clock())
            if event.state in (StepState.SUCCEEDED, StepState.SKIPPED):
                completed.append(event.step)
                p.status = with_completed(p.status, recipe, completed)
                if deps.monotonic() - last_written >= CHECKPOINT_EVERY_SECONDS:
                    await p.checkpoint()  # a long recipe's progress is durable (and visible) as it goes
                    last_written = deps.monotonic()

        try:
            # The whole recipe in one call, so output of any step is redacted of every step's secrets.
            await run_recipe(
                recipe.steps, deps.executor, set(completed), on_progress, pod=pod, policy=retry_policy(deps.settings)
            )
        except _HandBack as handing_back:
            return Next(0.0, f"engine setup continues at step {handing_back.step}")
        except EngineSetupError as exc:
            raise StepFailed(
                exc.step,
                Reason.ENGINE_SETUP_FAILED,
                str(exc),
                permanent=exc.permanent,
                final=True,
                attempts=exc.attempts,
            ) from None
        done = f"{engine} is configured ({len(recipe.steps)} steps, recipe {recipe.version})"
        _announce(p, "True", Reason.ENGINE_CONFIGURED, done, deps.clock())
        return decide_again()  # setup changed the engine's data, nothing the pass observes


def _announce(p: Pass, configured: ConditionStatus, reason: str, message: str, now: datetime) -> None:
    """Set EngineConfigured, keep the store in progress with the same words, and emit them as an Event."""
    conditions = set_condition(
        p.status.conditions, ENGINE_CONFIGURED, configured, reason, message, observed_generation=p.generation, now=now
    )
    p.status = in_progress(
        p.status.model_copy(update={"conditions": conditions}), reason, message, generation=p.generation, now=now
    )
    p.emit(st.normal(reason, message))
