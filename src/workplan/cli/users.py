"""`workplan user`: the archive's accounts (people and their roles).

Passwords are asked for at a prompt (typed twice, not shown) or read from the first line of
``--password-file``; never taken from the command line, where other users of the machine could
read them. The first account of an archive must be an administrator; from then on the archive
requires accounts, and only an administrator (``--user``) manages them.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from ..errors import Problem, WorkplanError
from .options import archive_option, open_archive_at, say, user_option

if TYPE_CHECKING:
    from ..archive import Archive


def _roles_help() -> str:
    from ..archive.accounts import ACTIONS, ROLES
    return "; ".join(f"{r}: {', '.join(sorted(ACTIONS[r]))}" for r in ROLES)


def _password(password_file: str | None) -> str:
    from ..archive.accounts import MAX_PASSWORD
    from ..limits import read_regular
    if password_file:
        raw = read_regular(password_file, MAX_PASSWORD * 4 + 2, what="password file")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise WorkplanError(Problem("the password file is not UTF-8 text", file=password_file)) from None
        line = text.split("\n", 1)[0].rstrip("\r")
        if not line:
            raise WorkplanError(Problem("the password file's first line is empty", file=password_file,
                                        hint="write the password on its first line"))
        return line
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@contextmanager
def _open(archive_path: str | None) -> Iterator[Archive]:
    """The archive, opened to manage its accounts, closed when the command is done."""
    arc = open_archive_at(archive_path, "accounts")
    try:
        yield arc
    finally:
        arc.close()


@click.group("user")
def user() -> None:
    """Manage the archive's accounts (people and their roles).

    \b
    Roles and what they may do:
      clerk: add records and new versions
      archivist: also dispose, export, compile, verify and repair
      auditor: read, search, verify (fixity checks) and download
      administrator: manage accounts
    Everyone signed in may search and read. Once the archive has an account, every command that
    changes it or logs an event needs --user NAME (or $WORKPLAN_USER) naming an enabled account
    whose role allows it, and the site signs people in one by one. Every change is logged.

    \b
    Examples:
      workplan user add admin --role administrator          # the first account
      workplan --user admin user add wang.li --role clerk --password-file pw.txt
      workplan --user admin user set-role wang.li archivist
      workplan --user admin user disable wang.li
    """


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, help="clerk, archivist, auditor or administrator.")
@click.option("--password-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read the password from the first line of FILE (default: ask at a prompt).")
@archive_option
@user_option
def add_cmd(name, role, password_file, archive_path) -> None:
    """Add an account (the first one must be an administrator)."""
    from ..archive.accounts import check_name, check_password, check_role
    check_name(name)
    check_role(role)
    with _open(archive_path) as arc:
        password = check_password(_password(password_file))
        acct = arc.accounts.add(name, role, password)
    say(f"added {acct.name} ({acct.role})")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@archive_option
@user_option
def list_cmd(as_json, archive_path) -> None:
    """List the accounts, their roles and whether they are disabled."""
    from ..archive import open_archive
    from .options import archive_root
    with open_archive(archive_root(archive_path)) as arc:
        accts = arc.accounts.list()
    if as_json:
        say(json.dumps([a.as_dict() for a in accts], ensure_ascii=False, indent=2))
        return
    if not accts:
        say("no accounts: the archive is in single-user mode (see `workplan user add --help`)")
        return
    for a in accts:
        say(f"{a.name}  {a.role}{'  (disabled)' if a.disabled else ''}")


@user.command("set-role")
@click.argument("name")
@click.argument("role")
@archive_option
@user_option
def set_role_cmd(name, role, archive_path) -> None:
    """Give an account another role (logged with the old and the new role)."""
    with _open(archive_path) as arc:
        acct = arc.accounts.set_role(name, role)
    say(f"{acct.name} is now {acct.role}")


#: `user disable` and `user enable`: command -> (what it tells, its help)
_SWITCHES = {
    "disable": ("disabled", "Disable an account: it can no longer sign in or act (its events stay in the log)."),
    "enable": ("enabled", "Enable a disabled account again."),
}


def _switch_command(command: str, done: str, help_text: str) -> click.Command:
    @click.argument("name")
    @archive_option
    @user_option
    def run(name: str, archive_path: str | None) -> None:
        with _open(archive_path) as arc:
            accounts = arc.accounts
            acct = accounts.disable(name) if command == "disable" else accounts.enable(name)
        say(f"{done} {acct.name}")
    return user.command(command, help=help_text)(run)


for _command, (_done, _help) in _SWITCHES.items():
    _switch_command(_command, _done, _help)


@user.command("password")
@click.argument("name")
@click.option("--password-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read the new password from the first line of FILE (default: ask at a prompt).")
@archive_option
@user_option
def password_cmd(name, password_file, archive_path) -> None:
    """Set an account's password."""
    from ..archive.accounts import check_password
    with _open(archive_path) as arc:
        acct = arc.accounts.set_password(name, check_password(_password(password_file)))
    say(f"set the password of {acct.name}")
