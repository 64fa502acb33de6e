"""User accounts: created and changed by admins, the first one bootstrapped from settings."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models import User
from services.gateway.repository import auth as auth_repository
from services.gateway.repository import users as repository
from services.gateway.rules.passwords import Passwords, password_problems
from services.gateway.rules.users import default_display_name, demotes_an_enabled_admin, normalized_roles
from services.gateway.schemas.users import UserCreate, UserUpdate
from services.gateway.service import audit
from services.gateway.service.callers import callers_changed
from services.gateway.service.publishing import record_user_change, record_user_deletion
from shared.auth import Principal
from shared.db import after_commit, utcnow
from shared.errors import Conflict, NotFound, Unprocessable
from shared.pagination import PageParams, page_of
from shared.privacy import PersonSought, as_records


def _check_password(password: str, email: str) -> None:
    problems = password_problems(password, email=email)
    if problems:
        raise Unprocessable(
            "password " + "; ".join(problems),
            errors=[
                {"pointer": "/password", "field": "password", "in": "body", "detail": p} for p in problems
            ],
        )


async def create_user(
    *, session: AsyncSession, principal: Principal, data: UserCreate, passwords: Passwords
) -> User:
    """A new user with a password that passes the policy."""
    values = data.model_dump()
    password = values.pop("password")
    values["email"] = values["email"].lower()
    values["display_name"] = values["display_name"] or default_display_name(values["email"])
    _check_password(password, values["email"])
    values["roles"] = normalized_roles(values["roles"])
    user = await repository.add_user(
        session=session, user=User(**values, password_hash=passwords.hash(password))
    )
    await audit.record(
        session=session,
        actor=principal.subject,
        action="user.created",
        target=f"user:{user.id}",
        roles=user.roles,
    )
    return user


async def list_users(*, session: AsyncSession, page: PageParams) -> tuple[list[User], str | None]:
    """A page of users in id order."""
    rows = await repository.list_users(session=session, limit=page.limit, after_id=page.after_id)
    return page_of(rows, limit=page.limit)


async def get_user(*, session: AsyncSession, user_id: int, for_update: bool = False) -> User:
    """The user with this id, or 404; `for_update` holds it until commit, so concurrent changes take
    consecutive versions."""
    user = await repository.get_user(session=session, user_id=user_id, for_update=for_update)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


async def update_user(*, session: AsyncSession, principal: Principal, user_id: int, data: UserUpdate) -> User:
    """Change the display name, roles, links or the disabled flag (announced as `user.updated`); the last
    enabled admin cannot be demoted or disabled."""
    user = await get_user(session=session, user_id=user_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    if "roles" in changes:
        changes["roles"] = normalized_roles(changes["roles"])
    if demotes_an_enabled_admin(roles=user.roles, disabled=user.disabled, changes=changes):
        await _refuse_last_admin(session, user)
    before = {k: getattr(user, k) for k in changes}
    for key, value in changes.items():
        setattr(user, key, value)
    await record_user_change(session=session, user=user)
    after_commit(session, callers_changed)
    action = "user.disabled" if changes.get("disabled") else "user.updated"
    await audit.record(
        session=session,
        actor=principal.subject,
        action=action,
        target=f"user:{user.id}",
        before=before,
        after=changes,
    )
    return user


async def ensure_bootstrap_admin(
    *, session: AsyncSession, email: str, password: str, passwords: Passwords
) -> bool:
    """Create the first admin from settings if that email has no user yet; True when created."""
    if await repository.get_user_by_email(session=session, email=email) is not None:
        return False
    await repository.add_user(
        session=session,
        user=User(
            email=email.lower(),
            display_name=default_display_name(email.lower()),
            password_hash=passwords.hash(password),
            roles=["admin"],
        ),
    )
    return True


async def disable_contributor_users(
    *, session: AsyncSession, contributor_id: int, cause: str, erase: bool = False
) -> int:
    """Disable the users linked to a contributor who left and end their login sessions at once; with
    `erase`, their email becomes a placeholder that names no one. Audited (the erased email is not)."""
    users = await repository.users_of_contributor(session=session, contributor_id=contributor_id)
    for user in users:
        action = "user.erased" if erase else "user.disabled"
        await _end_access(session, user, actor="contributors", action=action, cause=cause, pseudonymise=erase)
    return len(users)


async def pseudonymise_user(
    *, session: AsyncSession, principal: Principal, user_id: int, reason: str | None
) -> User:
    """Replace the user's email with a placeholder, disable it and end its sessions (a person's request
    to be forgotten, where the account must stay for the audit trail)."""
    user = await get_user(session=session, user_id=user_id, for_update=True)
    await _refuse_last_admin(session, user)
    await _end_access(
        session, user, actor=principal.subject, action="user.pseudonymised", cause=reason, pseudonymise=True
    )
    return user


async def delete_user(*, session: AsyncSession, principal: Principal, user_id: int) -> None:
    """Remove the user, its sessions and refresh tokens (peers are told: `user.deleted`); keys it created
    stay, no longer naming it."""
    user = await get_user(session=session, user_id=user_id, for_update=True)
    await _refuse_last_admin(session, user)
    await auth_repository.delete_user_sessions(session=session, user_id=user.id)
    await record_user_deletion(session=session, user=user)
    await repository.delete_user(session=session, user=user)
    await audit.record(
        session=session, actor=principal.subject, action="user.deleted", target=f"user:{user_id}"
    )
    after_commit(session, callers_changed)


async def _refuse_last_admin(session: AsyncSession, user: User) -> None:
    """409 when taking `user` away would leave no enabled admin; such changes run one at a time."""
    if "admin" in user.roles and not user.disabled:
        await repository.lock_admin_changes(session=session)
        others = set(await repository.enabled_admin_ids(session=session)) - {user.id}
        if not others:
            raise Conflict("this is the last enabled admin; appoint another admin first")


async def _end_access(
    session: AsyncSession, user: User, *, actor: str, action: str, cause: str | None, pseudonymise: bool
) -> None:
    """Disable the user and revoke its login sessions at once (the caller cache forgets it after commit);
    peers learn the new state, and a pseudonymised user's placeholder name replaces their copies of it."""
    user.disabled = True
    if pseudonymise:
        user.email = f"erased-user-{user.id}@erased.invalid"
        user.display_name = f"Erased user {user.id}"
    await auth_repository.revoke_user_sessions(session=session, user_id=user.id, at=utcnow())
    await audit.record(session=session, actor=actor, action=action, target=f"user:{user.id}", cause=cause)
    await record_user_change(session=session, user=user)
    after_commit(session, callers_changed)


# Secrets are not personal data to hand back: a DSAR export never carries a hash.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "key_hash"})


async def personal_data(*, session: AsyncSession, person: PersonSought) -> dict:
    """The gateway's part of a contributor's DSAR export: its users (found by the link, their audit trail
    also by the emails the person had)."""
    emails = [m for m in person.mentions if "@" in m]
    rows = await repository.personal_rows(session, contributor_id=person.contributor_id, emails=emails)
    return {table: as_records(found, exclude=SECRET_COLUMNS) for table, found in rows.items()}


async def user_for_peer(*, session: AsyncSession, user_id: int) -> User:
    """A user as a peer service names it (GET /internal/users/{id}): 404 when there is none."""
    return await get_user(session=session, user_id=user_id)


# Who may be a ticket's assignee or escalation lead (the contributors service checks the same roles).
AGENT_ROLES = frozenset({"admin", "ops", "support"})


async def list_agents(*, session: AsyncSession) -> list[User]:
    """The enabled users support can hand a ticket to, by display name."""
    return [u for u in await repository.enabled_users(session=session) if AGENT_ROLES & set(u.roles)]
