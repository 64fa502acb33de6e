"""The vendors service's CRUD and access tests run its app in process (tests/support/inprocess.py) on a
database of their own; what crosses processes is tested in tests/system."""

from tests.support.inprocess import service_fixtures

vendors, users, admin = service_fixtures("vendors")
