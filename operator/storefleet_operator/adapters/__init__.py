"""The only modules that do I/O for Store and Tenant reconciliation: the Kubernetes API, helm, exec."""
