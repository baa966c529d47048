"""The local control plane for tests and `make dev`: toolchain lookup, PKI, process runner."""
