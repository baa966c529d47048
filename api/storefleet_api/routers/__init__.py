"""One APIRouter per resource; each route parses, calls a service, returns a response model.

Each router carries its full prefix (`/api/v1/...`) and is included without another one: the route
object a request matched is what metrics label by, and FastAPI keeps a router's own path on it.
"""

API_PREFIX = "/api/v1"
