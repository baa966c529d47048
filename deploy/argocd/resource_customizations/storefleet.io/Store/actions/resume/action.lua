-- Resume reconciliation: spec.suspend back to false; the operator carries on where it stopped.
obj.spec.suspend = false
return obj
