"""kopf handlers: thin edges that parse, call the reconcilers, and return. Importing a module registers
its handlers (``main.HANDLER_MODULES``)."""
