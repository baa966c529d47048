"""EnsureCredentials: the credentials Secret (made once, never regenerated) and the Role/RoleBinding that
let the store's owner read exactly that Secret."""

from __future__ import annotations

from dataclasses import dataclass, replace

from storefleet_operator import naming
from storefleet_operator.adapters.kube import KubeError
from storefleet_operator.models import Reason
from storefleet_operator.store import credentials
from storefleet_operator.store import status as st
from storefleet_operator.store.actions.base import Action
from storefleet_operator.store.actions.progress import in_progress
from storefleet_operator.store.context import Deps, Next, Pass, StepFailed, decide_again
from storefleet_operator.store.values import store_host


@dataclass(frozen=True)
class EnsureCredentials(Action):
    needs_slot: bool = True

    async def run(self, p: Pass, deps: Deps) -> Next:
        store, namespace = p.store, p.snapshot.namespace
        secret = naming.credentials_secret_name(store.metadata.name)
        now = deps.clock()
        p.status = st.start_step(p.status, st.STEP_CREDENTIALS, f"Creating Secret {secret}", now)
        await p.confirm_wanted()
        try:
            if not await deps.kube.secret_exists(namespace, secret):
                email = credentials.admin_email(store, store_host(store, deps.settings.store_domain_suffix))
                values = credentials.generate_credentials(store.spec.engine, email)
                created = await deps.kube.create_secret(credentials.secret_manifest(store, namespace, values))
                del values  # the only copy; nothing else keeps it
            else:
                created = False
            tenant = naming.tenant_from_namespace(store.metadata.namespace)
            owners = credentials.tenant_owners(await deps.kube.read_tenant(tenant) if tenant else None)
            await deps.kube.apply_role(credentials.reader_role(store, namespace))
            await deps.kube.apply_rolebinding(credentials.reader_binding(store, namespace, owners))
        except KubeError as exc:
            raise StepFailed(
                st.STEP_CREDENTIALS,
                Reason.CREDENTIALS_FAILED,
                f"cannot prepare the credentials Secret {namespace}/{secret}: {exc}",
            ) from None
        readers = "the tenant's storefleet-tenant ServiceAccount" + (f" and {len(owners)} owner(s)" if owners else "")
        done = f"{'Created' if created else 'Kept the existing'} credentials Secret {secret}; {readers} may read it"
        now = deps.clock()
        p.status = st.succeed_step(p.status, st.STEP_CREDENTIALS, done, now)
        p.status = in_progress(
            p.status.model_copy(update={"credentials_secret": secret}),
            Reason.PROVISIONING,
            done,
            generation=p.generation,
            now=now,
        )
        p.emit(st.normal(Reason.PROVISIONING, done))
        return decide_again(lambda observed: replace(observed, secret_present=True, access_present=True))
