"""Every query of the vendors service, one module per resource; reads of a resource's rows go through its
readable_* statement, which scopes them to the caller (common.readable)."""
