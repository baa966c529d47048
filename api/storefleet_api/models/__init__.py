"""Request and response bodies of the HTTP API (pydantic); the OpenAPI schema is generated from them."""
