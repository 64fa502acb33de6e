"""API models of the vendors service, one module per family; import from the module (nothing is re-exported here)."""
