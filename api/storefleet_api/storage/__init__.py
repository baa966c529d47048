"""The only modules that talk to the Kubernetes API (official client, sync calls in worker threads)."""
