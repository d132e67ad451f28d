"""libpq's environment for a postgres:// address, without the password on any command line.

Used by deploy/backup.sh and deploy/restore.sh. A command line is visible to every account of the
machine (``ps``): the address comes in through the environment (CONNECTION_URL), its password goes
into a file of this run only (PGPASS_PATH, mode 0600, that the caller deletes), and the rest is
printed as ``export`` lines for the shell to evaluate: PGHOST, PGPORT, PGUSER, PGDATABASE,
PGPASSFILE (when the address has a password), and PGSSLMODE and the like from its query string.

Runs with the system's python3 (standard library only): the scripts need no virtual environment.
"""

import os
import shlex
import sys
from urllib.parse import parse_qsl, unquote, urlsplit

# Query-string options of a postgres:// address and the libpq variables that carry them.
OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
}


def pgpass_field(value):
    """A field of a password file: « : » and « \\ » escaped (libpq's format)."""
    return value.replace("\\", "\\\\").replace(":", "\\:")


def main():
    url = os.environ.get("CONNECTION_URL", "")
    pgpass_path = os.environ.get("PGPASS_PATH", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"} or not pgpass_path:
        print("Adresse attendue : postgres://utilisateur:motdepasse@hôte:port/base", file=sys.stderr)
        return 2
    variables = {
        "PGHOST": unquote(parts.hostname or ""),
        "PGPORT": str(parts.port or ""),
        "PGUSER": unquote(parts.username or ""),
        "PGDATABASE": unquote(parts.path.lstrip("/")),
    }
    for name, value in parse_qsl(parts.query):
        if name in OPTIONS:
            variables[OPTIONS[name]] = value
    if parts.password is not None:
        descriptor = os.open(pgpass_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as pgpass:
            pgpass.write(f"*:*:*:*:{pgpass_field(unquote(parts.password))}\n")
        variables["PGPASSFILE"] = pgpass_path
    # Without a password in the address, libpq's usual ways stay (~/.pgpass, peer, trust).
    for name, value in variables.items():
        print(f"export {name}={shlex.quote(value)}" if value else f"unset {name}")
    # A password from the caller's environment would be used before the file: never inherited.
    print("unset PGPASSWORD PGSERVICE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
