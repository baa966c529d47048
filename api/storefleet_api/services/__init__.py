"""Decisions and orchestration: pure functions over plain data, plus the account service that
calls storage. Nothing here imports FastAPI or talks to Kubernetes directly."""
