"""The helm operations of Store reconciliation, through pyhelm3, and nothing else.

pyhelm3 runs the helm binary asynchronously and sends values as JSON on stdin (never ``--set``), with
the kubeconfig as a file path (never a token on argv). This adapter adds what the reconciler needs on
top: a record of which releases have a helm command of *this* process running on them (so a ``pending-*`` release
left by a crashed predecessor can be told from one still being worked on), and errors that say whether
retrying can help. The release history the reconciler observes is read from Helm's own records
through the API (``helm_storage``), not by running ``helm history`` on every pass.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from pyhelm3 import Client
from pyhelm3 import errors as helm_errors

# helm's own words for failures that no retry can fix: the chart or its values are wrong.
_PERMANENT_MARKERS: Final = (
    "values don't meet the specifications of the schema",
    "execution error at",
    "parse error",
    "chart.yaml file is missing",
)
_CHART_PATH_MISSING: Final = re.compile(r'path "[^"]*" not found')
_MAX_MESSAGE: Final = 900


class HelmFailed(Exception):
    """A helm command failed; the message is helm's own error, trimmed. It never contains values."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def _explain(exc: Exception, what: str) -> HelmFailed:
    text = exc.stderr.decode(errors="replace") if isinstance(exc, helm_errors.Error) else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    detail = " ".join(lines[-3:]).replace("Error: ", "") or type(exc).__name__
    if len(detail) > _MAX_MESSAGE:
        detail = detail[: _MAX_MESSAGE - 1] + "…"
    lowered = text.lower()
    permanent = (
        isinstance(exc, helm_errors.FailedToRenderChartError | helm_errors.ChartNotFoundError)
        or any(marker in lowered for marker in _PERMANENT_MARKERS)
        or bool(_CHART_PATH_MISSING.search(text))
    )
    return HelmFailed(f"helm {what}: {detail}", permanent=permanent)


def _revision_number(result: Any, release: str, namespace: str) -> int:
    """The revision in ``helm upgrade --output json``'s answer (helm's release record, ``version``)."""
    version = result.get("version") if isinstance(result, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        raise HelmFailed(f"helm upgrade --install {release} in {namespace}: no revision in its output", permanent=False)
    return version


class StoreHelm:
    def __init__(self, client: Client) -> None:
        self._client = client
        # pyhelm3's Command runs exactly the helm command asked for: its Client has no rollback to a
        # given revision with our options, and does more than an install needs (see upgrade_install).
        self._command = client._command
        self.started_at = datetime.now(UTC)
        """Revisions pending since before this moment cannot belong to a helm command of this process."""
        self._in_flight: set[tuple[str, str]] = set()
        self._interrupted: set[tuple[str, str]] = set()

    def in_flight(self, namespace: str, release: str) -> bool:
        return (namespace, release) in self._in_flight

    def interrupted(self, namespace: str, release: str) -> bool:
        """The last helm command of this process on the release failed or was cancelled (the API server
        went away mid-install, say): a ``pending-*`` record it left behind belongs to nobody."""
        return (namespace, release) in self._interrupted

    @contextlib.asynccontextmanager
    async def _holding(self, namespace: str, release: str) -> AsyncIterator[None]:
        key = (namespace, release)
        self._in_flight.add(key)
        try:
            yield
        except BaseException:
            self._interrupted.add(key)
            raise
        else:
            self._interrupted.discard(key)
        finally:
            self._in_flight.discard(key)

    async def upgrade_install(
        self,
        namespace: str,
        release: str,
        chart_dir: Path,
        values: Mapping[str, Any],
        *,
        description: str,
        timeout_seconds: int,
    ) -> int:
        """``helm upgrade --install`` without --wait (the reconciler waits, in short re-entrant steps);
        returns the new revision number.

        Through pyhelm3's Command, not its Client: the Client first runs ``helm show chart`` (one more
        helm process per install) and parses the whole rendered manifest as YAML, in pure Python on the
        event loop, for a result of which only the revision number is used.
        """
        async with self._holding(namespace, release):
            try:
                result = await self._command.install_or_upgrade(
                    release,
                    chart_dir,
                    dict(values),
                    namespace=namespace,
                    create_namespace=False,
                    description=description,
                    timeout=f"{timeout_seconds}s",
                    wait=False,
                )
            except (helm_errors.Error, OSError) as exc:
                raise _explain(exc, f"upgrade --install {release} in {namespace}") from None
        return _revision_number(result, release, namespace)

    async def rollback(self, namespace: str, release: str, revision: int, *, timeout_seconds: int) -> None:
        async with self._holding(namespace, release):
            try:
                await self._command.rollback(
                    release, revision, namespace=namespace, timeout=f"{timeout_seconds}s", cleanup_on_fail=True
                )
            except helm_errors.Error as exc:
                raise _explain(exc, f"rollback {release} in {namespace} to revision {revision}") from None

    async def uninstall(self, namespace: str, release: str, *, timeout_seconds: int, wait: bool = True) -> None:
        async with self._holding(namespace, release):
            try:
                await self._client.uninstall_release(
                    release, namespace=namespace, timeout=f"{timeout_seconds}s", wait=wait
                )
            except helm_errors.Error as exc:
                raise _explain(exc, f"uninstall {release} in {namespace}") from None
