-- Ask the operator to retry now: a new value of the storefleet.io/requested-at annotation (Flux's
-- reconcile.fluxcd.io/requestedAt convention) resets the failure counters and reconciles again.
local os = require("os")
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["storefleet.io/requested-at"] = os.date("!%Y-%m-%dT%H:%M:%SZ")
return obj
