"""desk pages."""

from services.console.routes.pages import console_router

router = console_router()
