"""API models of the gateway's own routes, one module per resource (import from the module)."""
