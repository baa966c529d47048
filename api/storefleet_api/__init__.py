"""storefleet gateway: the FastAPI edge that authenticates people and writes Store resources."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("storefleet")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
