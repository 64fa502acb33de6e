"""Every query of the gateway, one module per resource."""
