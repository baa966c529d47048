"""One module per action (Flux helm-controller style): each sets one condition and emits one Event.

Every module has a pure part (manifests, status shaping) unit-tested without a cluster, and an async
``run(p, deps)`` that does the I/O through the adapters and returns when to look again. The action's type
(a frozen dataclass deriving from ``base.Action``) lives in the same module as its ``run``.
"""
