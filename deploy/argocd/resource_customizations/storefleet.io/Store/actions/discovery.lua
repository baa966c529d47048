-- Argo CD resource actions for storefleet.io/Store: which ones the UI offers for this object.
-- retry: only when there is a failure to retry (Stalled, or failures counted); the operator resets the
--        failure counters and reconciles again (the same as POST /api/v1/stores/{id}/retry).
-- suspend / resume: spec.suspend, Flux's convention; each is offered only when it changes something.
local actions = {}
local suspended = obj.spec ~= nil and obj.spec.suspend == true
local deleting = obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil

local failing = false
if obj.status ~= nil then
  if obj.status.failures ~= nil and obj.status.failures > 0 then
    failing = true
  end
  if obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == "Stalled" and c.status == "True" then
        failing = true
      end
    end
  end
end

actions["retry"] = {["disabled"] = deleting or suspended or not failing}
actions["suspend"] = {["disabled"] = deleting or suspended}
actions["resume"] = {["disabled"] = deleting or not suspended}
return actions
