-- Argo CD health check for storefleet.io/Store.
-- Follows kstatus (cli-utils) and storefleet_operator.models.conditions: deletion first, then the
-- suspension (spec.suspend, Argo CD's Suspended), then the
-- generation check, then Stalled (Degraded), then Ready (Healthy); anything else is Progressing.
-- Argo CD runs this in gopher-lua (Lua 5.1): no integer division, goto or utf8 library here.
local hs = {}

local function condition(conditions, wanted)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == wanted then
      return c
    end
  end
  return nil
end

local function describe(c, fallback)
  if c == nil then
    return fallback
  end
  if c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "Pending deletion"
  return hs
end

-- spec.suspend (Flux's convention): the operator changes nothing until it is false again.
if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Reconciliation is suspended (spec.suspend: true); set it to false to resume"
  if obj.status ~= nil then
    hs.message = describe(condition(obj.status.conditions, "Suspended"), hs.message)
  end
  return hs
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the storefleet operator to pick up the store"
  return hs
end

local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and status.observedGeneration ~= generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the storefleet operator to observe generation " .. tostring(generation)
  return hs
end

local stalled = condition(status.conditions, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled, "Stalled")
  return hs
end

local ready = condition(status.conditions, "Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
  return hs
end

hs.status = "Progressing"
hs.message = describe(condition(status.conditions, "Reconciling"), describe(ready, "Provisioning"))
return hs
