"""Pure rules of the vendors service (values in, values out; no database, HTTP or FastAPI), one module per
resource."""
