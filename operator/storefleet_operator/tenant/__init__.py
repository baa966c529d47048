"""Tenant reconciliation: a namespace per tenant with its quota and RBAC (pure builders in resources)."""
