"""Gateway settings: one validated object read from `STOREFLEET_*` environment variables.

Boundary: this module only parses and validates configuration. It never reads Kubernetes; the
JWT signing key lives in a Secret and is checked at startup by `services.tokens.check_signing_key`.
Every field carries a docstring saying why its default is what it is; pydantic turns those into
the field descriptions, so `Settings.model_json_schema()` documents the environment.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Annotated, Literal, Self

from pydantic import DirectoryPath, Field, FilePath, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "production"]

DEV_METRICS_TOKEN = "storefleet-dev-metrics-token"  # noqa: S105 - a known default, refused in production
"""The scrape token `make dev` works with out of the box; production refuses to start with it."""

KNOWN_DEFAULT_SECRETS = frozenset(
    {DEV_METRICS_TOKEN, "changeme", "change-me", "secret", "password", "storefleet", "development", "test"}
)
"""Values people leave in place by accident; production refuses any secret equal to one of them."""

MIN_PRODUCTION_SECRET_LENGTH = 32

_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class InsecureSettingsError(ValueError):
    """Settings that would run, but not safely, outside development."""


def _split_list(value: object) -> object:
    # Accept "a,b" as well as a JSON list: a comma list is what people type into a Deployment env.
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            return json.loads(stripped)
        return [item.strip() for item in stripped.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Everything the gateway can be told; see each field's docstring for the reason behind it."""

    model_config = SettingsConfigDict(
        env_prefix="STOREFLEET_", extra="ignore", frozen=True, use_attribute_docstrings=True
    )

    environment: Environment = "production"
    """Production by default: a gateway started without configuration refuses the development
    defaults instead of running with them."""

    host: str = "127.0.0.1"
    """Loopback unless told otherwise; the Deployment sets 0.0.0.0 inside the pod."""

    port: int = Field(default=8000, ge=1, le=65535)
    """The HTTP port for the API and the dashboard."""

    platform_namespace: str = Field(default="storefleet-system", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    """Where users, the JWT key and the login counters live; the manifests in deploy/gateway use it."""

    kubeconfig: FilePath | None = None
    """None means in-cluster credentials when running in a pod, else the usual kubeconfig lookup.
    A path must exist: a typo should stop the start, not surface later as "cluster unreachable"."""

    kubernetes_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    """Bounds every Kubernetes call so a stuck API server cannot pin a worker thread forever."""

    jwt_issuer: str = "storefleet"
    """Checked on every token: a token minted by another system with the same key is refused."""

    jwt_audience: str = "storefleet-api"
    """Checked on every token: tokens minted for another audience are refused."""

    token_ttl_seconds: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    """A working day: shorter logs people out mid-task, longer widens the window of a stolen token."""

    lockout_threshold: int = Field(default=5, ge=1, le=100)
    """Failed logins before the account locks (the predecessor's number, HTTP 423)."""

    lockout_window_seconds: int = Field(default=900, ge=1)
    """Failures older than this no longer count toward the threshold."""

    lockout_duration_seconds: int = Field(default=900, ge=1)
    """How long a locked account refuses every login, even with the right password."""

    login_rate_limit: int = Field(default=10, ge=1)
    """Login attempts per client IP per window (the predecessor's 10 per 15 minutes, HTTP 429)."""

    login_rate_window_seconds: int = Field(default=900, ge=1)
    """The login rate window; fixed, starting at a client's first attempt."""

    register_rate_limit: int = Field(default=5, ge=1)
    """Registrations per client IP per window (the predecessor's 5 per hour)."""

    register_rate_window_seconds: int = Field(default=3600, ge=1)
    """The registration rate window."""

    registration_open: bool = True
    """Self-service sign-up is the product; closed installations set this to false."""

    body_limit_bytes: int = Field(default=262144, ge=1024)
    """256 KB: every request this API takes is a small JSON document; larger bodies are refused (413)."""

    request_timeout_seconds: float = Field(default=30.0, gt=0)
    """A request that has not started answering by then gets 504; streams are exempt once started."""

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Browser origins allowed to call the API; empty means same-origin only (the dashboard)."""

    trusted_proxies: Annotated[list[IpNetwork], NoDecode] = Field(default_factory=list)
    """Peers whose X-Forwarded-For is believed (the ingress controller's pod network); nobody by
    default, so a client cannot choose its own rate-limit bucket."""

    metrics_token: SecretStr | None = SecretStr(DEV_METRICS_TOKEN)
    """Bearer token a scraper sends to GET /metrics on the API port; a known default for
    development, refused in production. Empty disables /metrics on the API port."""

    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    """When set, metrics are served on this separate port without a token (the Deployment's way)."""

    keep_alive_seconds: float = Field(default=75.0, gt=0, le=3600)
    """How long an idle client connection stays open. Longer than the clients' and proxies' own idle
    timeouts (httpx 5 s, browsers and common load balancers 60 s), so the client always closes first:
    uvicorn's 5 s default equals httpx's, and a request sent as the server closes is reset."""

    shutdown_delay_seconds: float = Field(default=5.0, ge=0, le=120)
    """After SIGTERM, readiness answers 503 this long before the server stops accepting, so the
    Service stops routing to this pod before connections are refused."""

    pod_name: str = ""
    """Set from the downward API; names the reporting instance on Kubernetes Events."""

    log_level: str = "INFO"
    """Level for the JSON logs on stdout."""

    store_create_cooldown_seconds: int = Field(default=30, ge=0, le=3600)
    """A tenant waits this long between store creations (admins never do): enough to stop a script
    from filling the cluster with installs, short enough that nobody notices. 0 turns it off."""

    store_stream_max_seconds: float = Field(default=600.0, gt=0, le=3600)
    """A progress stream (SSE) ends after this long even if the store is still provisioning; the
    browser's EventSource reconnects, so a long install is still followed, on fresh credentials."""

    store_stream_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    """A comment line this often keeps proxies (which drop idle connections after 30-60 s) from
    cutting a quiet stream, and lets the server notice a client that went away."""

    dashboard_dir: DirectoryPath | None = None
    """The dashboard's production build (`frontend/dist`, made by `make frontend-build`), served at
    `/`. None serves the API alone: a gateway must start without Node, and the build is optional."""

    store_stream_limit: int = Field(default=200, ge=1, le=10000)
    """Streams one replica serves at once; each holds a Kubernetes watch and a thread, so beyond
    this a client gets 503 with Retry-After instead of the replica running out of threads."""

    tenant_access_ttl_seconds: float = Field(default=5.0, gt=0, le=60)
    """Tenants' store reads are served from the watch-fed cache once Kubernetes RBAC has said the
    tenant may read its Stores (a SelfSubjectAccessReview as the tenant); that "yes" is trusted this
    long. A tenant whose RoleBinding is removed loses access within it; shorter costs one review
    per tenant per read verb this often."""

    extra_blocked_store_words: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Words (whole words between '-') refused in store names in addition to the built-in list,
    e.g. local-language profanity or competitors' trademarks."""

    audit_database_url: SecretStr | None = None
    """PostgreSQL URL of the durable audit log (`postgresql://user:password@host:5432/db`), from a
    Secret through the environment, never argv. None keeps the audit page on Kubernetes Events,
    which the API server drops after its --event-ttl (one hour by default)."""

    audit_retention_days: int = Field(default=90, ge=1, le=3650)
    """Audit events older than this are deleted; 90 days covers a quarter of incident reviews.
    Keep longer trails with pg_dump, not by growing the table without bound."""

    audit_retention_interval_seconds: float = Field(default=3600.0, gt=0)
    """How often old audit events are deleted: hourly keeps each DELETE small."""

    @field_validator("cors_origins", "extra_blocked_store_words", mode="before")
    @classmethod
    def _parse_comma_lists(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_proxies(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _empty_token_disables(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if origin != "*" and not _ORIGIN.match(origin):
                raise ValueError(f"CORS origin {origin!r} is not an origin; write scheme://host[:port] without a path")
        return origins

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Self:
        if self.environment != "production":
            return self
        problems = production_problems(self)
        if problems:
            raise InsecureSettingsError("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def is_development(self) -> bool:
        return self.environment == "development"


def secret_problem(name: str, value: str) -> str | None:
    """Why a secret is unfit for production, or None when it is fine."""
    if value.strip().lower() in KNOWN_DEFAULT_SECRETS:
        return f"{name} is a known default value; set a random value"
    if len(value) < MIN_PRODUCTION_SECRET_LENGTH:
        return f"{name} is shorter than {MIN_PRODUCTION_SECRET_LENGTH} characters; set a random value"
    return None


def production_problems(settings: Settings) -> list[str]:
    """Every reason these settings are unsafe outside development (empty when they are fine)."""
    problems: list[str] = []
    if settings.metrics_token is not None:
        problem = secret_problem("STOREFLEET_METRICS_TOKEN", settings.metrics_token.get_secret_value())
        if problem:
            problems.append(problem + " (or leave it empty and set STOREFLEET_METRICS_PORT)")
    if "*" in settings.cors_origins:
        problems.append("STOREFLEET_CORS_ORIGINS contains '*'; list the dashboard origins instead")
    return problems


def describe_settings_error(error: ValidationError) -> str:
    """Every problem, one per line, naming the variable and never repeating its value (secrets)."""
    lines = []
    for problem in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in problem["loc"])
        where = f"STOREFLEET_{field.upper()}: " if field else ""
        lines.append(where + str(problem["msg"]).removeprefix("Value error, "))
    return "; ".join(lines)
