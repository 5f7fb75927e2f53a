"""People and roles: the archive's accounts, what each role may do, and who an event names.

An account is a name, a role, an Argon2id password hash and whether it is disabled, kept in the
catalogue's ``accounts`` table (named operations of :class:`.catalogue.Catalogue`, so another
catalogue database carries them too). Once an archive has an account it *requires* accounts:
every writing command names an enabled account (``--user``) whose role allows it, and its site
signs people in one by one. An archive without accounts is in *single-user mode*: whoever can
reach it holds every role (the site's shared token, or the loopback machine).

Every change to an account, and every sign-in and failed sign-in on the site, is an event of the
log (object ``archive``; the detail names the account); a password hash never enters the log.

Who did something is the event's ``agent``: ``"<person> (workplan/<version> <os user>@<host>)"``
(:func:`agent_of`); :func:`person_of` reads the person back, also from the older form
``workplan/<version> <user>@<host>`` (the OS user then is the person).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import Problem, WorkplanError
from .fsutil import agent as software_agent
from .fsutil import now_iso

if TYPE_CHECKING:
    from .store import Archive

ROLES = ("clerk", "archivist", "auditor", "administrator")

# What each role may do (an action is named where it is checked: the CLI's commands, the site's
# route table). "read" is searching and reading record pages and the log.
ACTIONS: dict[str, frozenset[str]] = {
    "clerk": frozenset({"read", "add", "version"}),
    "archivist": frozenset({"read", "add", "version", "dispose", "export", "compile", "download", "verify",
                            "repair"}),
    "auditor": frozenset({"read", "verify", "download"}),
    "administrator": frozenset({"read", "accounts"}),
}
ALL_ACTIONS = frozenset().union(*ACTIONS.values())

NAME_RE = re.compile(r"[a-z][a-z0-9._-]{0,31}")
MIN_PASSWORD = 10
MAX_PASSWORD = 1000

ACCOUNT_EVENTS = ("account-added", "account-role", "account-disabled", "account-enabled", "account-password",
                  "sign-in", "sign-in-failed", "sign-out")


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool
    created_at: str
    changed_at: str

    def may(self, action: str) -> bool:
        return not self.disabled and action in ACTIONS.get(self.role, frozenset())

    def as_dict(self) -> dict:
        return {"name": self.name, "role": self.role, "disabled": self.disabled, "created_at": self.created_at,
                "changed_at": self.changed_at}


def roles_for(action: str) -> list[str]:
    """The roles that may do ``action``."""
    return [r for r in ROLES if action in ACTIONS[r]]


def agent_of(person: str | None, via: str | None = None) -> str:
    """The agent of an event: the person, then the software and OS account that acted for them."""
    soft = software_agent() + (f", {via}" if via else "")
    return f"{person} ({soft})" if person else soft


_AGENT_RE = re.compile(r"(?P<person>[^()]+?) \((?P<soft>workplan/\S+ [^()]*)\)")
_SOFT_RE = re.compile(r"workplan/\S+ (?P<user>[^@\s,]+)@")


def person_of(agent: str) -> str:
    """The person an event's agent names (the OS user when it names none)."""
    m = _AGENT_RE.fullmatch(agent or "")
    if m:
        return m["person"]
    m = _SOFT_RE.match(agent or "")
    return m["user"] if m else (agent or "")


def check_name(name: str) -> str:
    n = (name or "").strip()
    if not NAME_RE.fullmatch(n):
        raise WorkplanError(Problem(f"{name!r} is not an account name", path="name",
                                    hint="use 1–32 lower-case letters, digits, '.', '_' or '-', starting with a "
                                         "letter (e.g. wang.li)"))
    return n


def check_role(role: str) -> str:
    r = (role or "").strip().lower()
    if r not in ROLES:
        raise WorkplanError(Problem(f"{role!r} is not a role", path="role", hint=f"use one of {', '.join(ROLES)}"))
    return r


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise WorkplanError(Problem(f"the password is too short: use at least {MIN_PASSWORD} characters",
                                    path="password", hint="a passphrase of several words is easy to type and hard "
                                                          "to guess"))
    if len(password) > MAX_PASSWORD:
        raise WorkplanError(Problem(f"the password is longer than {MAX_PASSWORD} characters", path="password"))
    return password


def _hasher():
    from argon2 import PasswordHasher
    return PasswordHasher()  # Argon2id, RFC 9106 low-memory profile (t=3, 64 MiB, p=4)


def hash_password(password: str) -> str:
    return _hasher().hash(check_password(password))


# checked when a name is unknown, so that it takes as long as a wrong password (no password matches it)
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$GTRoiWchPRVAFgtUVEbFWA$8QyUIT1Ba+eYNp3WcQtosoxllPq5gOHavdDHYsF2o34"


def _password_matches(stored: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
        return False
    ph = _hasher()
    try:
        return ph.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _account(row: dict) -> Account:
    return Account(row["name"], row["role"], bool(row["disabled"]), row["created_at"], row["changed_at"])


class Accounts:
    """The accounts of one archive (through its catalogue; changes are logged)."""

    def __init__(self, arc: "Archive") -> None:
        self.arc = arc

    def list(self) -> list[Account]:
        return [_account(r) for r in self.arc.catalogue.accounts()]

    def get(self, name: str) -> Account | None:
        row = self.arc.catalogue.account(name)
        return None if row is None else _account(row)

    def required(self) -> bool:
        """Whether the archive requires accounts (it has at least one)."""
        return self.arc.catalogue.has_accounts()

    def _need(self, name: str) -> Account:
        acct = self.get(check_name(name))
        if acct is None:
            raise WorkplanError(Problem(f"no account named {name!r}", file=str(self.arc.root),
                                        hint="see `workplan user list`"))
        return acct

    def add(self, name: str, role: str, password: str) -> Account:
        name, role = check_name(name), check_role(role)
        pw_hash = hash_password(password)  # slow: outside the lock
        cat = self.arc.catalogue
        with self.arc.write_lock():
            self.arc.require_log_intact()
            if cat.account(name) is not None:
                raise WorkplanError(Problem(f"an account named {name!r} exists already", file=str(self.arc.root),
                                            hint="choose another name, or change its role with `workplan user "
                                                 "set-role`"))
            if not cat.has_accounts() and role != "administrator":
                raise WorkplanError(Problem("the first account must be an administrator (it manages the others)",
                                            file=str(self.arc.root),
                                            hint=f"workplan user add {name} --role administrator"))
            now = now_iso()
            ev = self.arc.events.append("account-added", "archive", {"account": name, "role": role})
            with cat.transaction() as tx:
                cat.add_account(tx, {"name": name, "role": role, "password": pw_hash, "disabled": 0,
                                     "created_at": now, "changed_at": now})
                cat.set_log_head(tx, ev.id, ev.hash)
        return self._need(name)

    def set_role(self, name: str, role: str) -> Account:
        role = check_role(role)
        return self._change(name, "account-role", lambda a: {"role": role, "was": a.role},
                            lambda cat, tx, a: cat.set_account_role(tx, a.name, role, now_iso()),
                            last_admin=role != "administrator")

    def disable(self, name: str) -> Account:
        return self._change(name, "account-disabled", lambda a: {},
                            lambda cat, tx, a: cat.set_account_disabled(tx, a.name, True, now_iso()),
                            last_admin=True)

    def enable(self, name: str) -> Account:
        return self._change(name, "account-enabled", lambda a: {},
                            lambda cat, tx, a: cat.set_account_disabled(tx, a.name, False, now_iso()))

    def set_password(self, name: str, password: str) -> Account:
        pw_hash = hash_password(password)
        return self._change(name, "account-password", lambda a: {},
                            lambda cat, tx, a: cat.set_account_password(tx, a.name, pw_hash, now_iso()))

    def _change(self, name: str, event: str, detail, write, *, last_admin: bool = False) -> Account:
        cat = self.arc.catalogue
        with self.arc.write_lock():
            self.arc.require_log_intact()
            acct = self._need(name)
            if last_admin and acct.role == "administrator" and not acct.disabled:
                admins = [a for a in self.list() if a.role == "administrator" and not a.disabled]
                if len(admins) <= 1:
                    raise WorkplanError(Problem(f"{name} is the only enabled administrator: nobody could manage "
                                                "the accounts after this", file=str(self.arc.root),
                                                hint="make another account an administrator first"))
            ev = self.arc.events.append(event, "archive", {"account": acct.name, **detail(acct)})
            with cat.transaction() as tx:
                write(cat, tx, acct)
                cat.set_log_head(tx, ev.id, ev.hash)
        return self._need(name)

    def authenticate(self, name: str, password: str) -> Account | None:
        """The enabled account with this name and password, else None (an unknown name takes as
        long as a wrong password)."""
        n = (name or "").strip()
        row = self.arc.catalogue.account(n) if NAME_RE.fullmatch(n) else None
        ok = _password_matches(row["password"] if row else None, password)
        if not ok or row is None or row["disabled"]:
            return None
        return _account(row)

    def acting(self, name: str | None, action: str) -> Account | None:
        """The account acting for a command that does ``action``. Where the archive requires
        accounts, ``name`` must be an enabled account whose role allows it (a clear refusal
        otherwise); without accounts the name, if any, is only recorded."""
        try:
            if not self.required():
                return None
        except WorkplanError:
            if action == "repair":
                return None  # a missing or damaged catalogue holds no accounts to check: it is being repaired
            raise
        if not name:
            raise WorkplanError(Problem(f"this archive requires accounts: say who you are to {action_words(action)}",
                                        file=str(self.arc.root), hint="pass --user NAME (or set WORKPLAN_USER) naming your account; "
                                             f"it needs the role {' or '.join(roles_for(action))}"))
        acct = self._need(name)
        if acct.disabled:
            raise WorkplanError(Problem(f"the account {acct.name!r} is disabled", file=str(self.arc.root),
                                        hint="an administrator enables it with `workplan user enable`"))
        if not acct.may(action):
            raise WorkplanError(Problem(f"{acct.name} ({acct.role}) may not {action_words(action)}",
                                        file=str(self.arc.root),
                                        hint=f"that needs the role {' or '.join(roles_for(action))}; an "
                                             "administrator changes roles with `workplan user set-role`"))
        return acct


ACTION_WORDS = {"read": "read the archive", "add": "add records", "version": "add new versions",
                "dispose": "dispose of records", "export": "export transfer packages", "compile": "compile volumes",
                "download": "download files", "verify": "run fixity checks", "repair": "repair the archive",
                "accounts": "manage accounts"}


def action_words(action: str) -> str:
    return ACTION_WORDS.get(action, action)
