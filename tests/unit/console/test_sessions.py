"""The console's sealed session cookie and its CSRF token (services/console/rules/sessions.py)."""

from services.console.rules.sessions import ConsoleSession, Viewer, cookie_cipher, csrf_matches, seal, unseal

CIPHER = cookie_cipher("a-console-cookie-secret-of-32-characters-at-least")


def _signed_in() -> ConsoleSession:
    return ConsoleSession(viewer=Viewer(email="ops@example.org", roles=("ops",), user_id=3)).with_tokens(
        access_token="access", refresh_token="refresh", expires_in=900, now=1000.0
    )


def test_a_sealed_session_opens_to_the_same_session():
    session = _signed_in()

    assert unseal(seal(session, CIPHER), CIPHER, max_age_seconds=60) == session


def test_the_cookie_does_not_show_the_tokens():
    cookie = seal(_signed_in(), CIPHER)

    assert "access" not in cookie and "ops@example.org" not in cookie


def test_a_tampered_cookie_is_no_session():
    cookie = seal(_signed_in(), CIPHER)
    tampered = cookie[:-6] + ("A" if cookie[-6] != "A" else "B") + cookie[-5:]

    assert unseal(tampered, CIPHER, max_age_seconds=60) is None


def test_a_cookie_sealed_with_another_secret_is_no_session():
    other = cookie_cipher("another-console-cookie-secret-of-32-characters")

    assert unseal(seal(_signed_in(), other), CIPHER, max_age_seconds=60) is None


def test_the_access_token_is_refreshed_before_it_expires():
    session = _signed_in()  # expires at 1900

    assert not session.needs_refresh(now=1800.0, margin_seconds=30)
    assert session.needs_refresh(now=1875.0, margin_seconds=30)


def test_an_anonymous_session_never_needs_a_refresh():
    assert not ConsoleSession().needs_refresh(now=10**10, margin_seconds=30)


def test_the_csrf_token_must_be_the_sessions_own():
    session = ConsoleSession()

    assert csrf_matches(session, session.csrf)
    assert not csrf_matches(session, None)
    assert not csrf_matches(session, "")
    assert not csrf_matches(session, ConsoleSession().csrf)
