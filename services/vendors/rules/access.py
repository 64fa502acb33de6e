"""The vendors service's role sets, named once: route access (deps.py), what a caller may do (service/)
and which rows it sees (repository/) all read them from here."""

# They manage vendors, contracts and money.
VENDOR_MANAGERS = ("admin", "ops", "vendor_manager")
# They see every vendor's rows; a `vendor` user sees only its own vendor's, anyone else nothing.
SEES_EVERY_VENDOR = (*VENDOR_MANAGERS, "analyst", "integration", "service")
