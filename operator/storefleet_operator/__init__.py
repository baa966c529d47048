"""storefleet operator: reconciles Tenant and Store resources (kopf)."""
