"""Sign-in, sign-out and the landing redirect."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse

from services.console.deps import BrowserSession, SignedIn, gateway_as, keep_session
from services.console.routes.pages import console_router, render
from services.console.rules.menu import home_for
from services.console.schemas.forms import SignInForm
from services.console.service import auth as service
from services.console.service.gateway import GatewayError, SignInRequired

router = console_router()


def _local_path(target: str) -> str:
    """Only a path of the console itself: `next` must never send a viewer to another site."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


@router.get("/")
async def landing(console: SignedIn):
    return RedirectResponse(home_for(console.viewer), status_code=303)


@router.get("/login")
async def login_page(request: Request, session: BrowserSession, next: str = "/"):
    return render(request, None, "login.html", next=_local_path(next), error=None)


@router.post("/login")
async def login(request: Request, session: BrowserSession, form: Annotated[SignInForm, Form()]):
    try:
        signed = await service.sign_in(
            gateway=gateway_as(request, None), email=form.email, password=form.password
        )
    except SignInRequired:
        return render(
            request, None, "login.html", status_code=401, next=form.next, error="Wrong email or password."
        )
    except GatewayError as exc:
        return render(request, None, "login.html", status_code=exc.status, next=form.next, error=exc.detail)
    keep_session(request, signed)
    target = _local_path(form.next)
    return RedirectResponse(home_for(signed.viewer) if target == "/" else target, status_code=303)


@router.post("/logout")
async def logout(request: Request, console: SignedIn):
    await service.sign_out(gateway=console.gateway)
    keep_session(request, None)
    return RedirectResponse("/login", status_code=303)


@router.get("/account")
async def account(request: Request, console: SignedIn):
    return render(request, console, "account.html")
