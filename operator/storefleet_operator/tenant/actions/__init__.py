"""One module per Tenant action, each holding its type and its ``run`` (as for Stores)."""
