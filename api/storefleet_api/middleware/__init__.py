"""Pure ASGI middleware around every request: request id, security headers, metrics and access
log, the body limit and the request timeout."""
