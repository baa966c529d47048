-- Pause reconciliation (spec.suspend, Flux's convention): the operator changes nothing of the store
-- until it is resumed. Deletion still works while suspended.
obj.spec.suspend = true
return obj
