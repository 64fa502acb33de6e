"""Rules of the vendors service, one module per resource."""
