"""The gateway's work with I/O, one module per resource: logins, users, API keys, audit, forwarding."""
