"""Store reconciliation, Flux helm-controller style: observe → decide → act, one action per pass.

- ``observe`` (pure) turns what the adapters fetched into a ``Snapshot``; ``decide`` (pure) picks one
  action; ``actions/`` has one module per action; ``reconciler`` runs a pass and always writes status;
  ``runtime`` is the store work queue and the deletion loop behind the kopf edges.
- ``values``, ``credentials``, ``status``, ``failures``, ``backoff`` and ``gate`` are the pure building
  blocks: Helm values as data, the credentials Secret, status shaping, retries, the concurrency gate.

Kubernetes, helm and exec I/O happens only in ``storefleet_operator.adapters`` (kube, helm, execs).
"""
