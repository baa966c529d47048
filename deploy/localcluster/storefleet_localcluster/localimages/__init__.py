"""Building blocks of ``storefleet_localcluster.images``: recipes, input hashing, build adapters."""
