"""API models of the tasks service, one module per resource (import from the module)."""
