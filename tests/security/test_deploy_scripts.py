"""What root runs on the production machine never comes from the tree the application can write (issue 9 §4).

The application's account owns /srv/cls-portail (it pulls the code there): a script of that tree
run as root would give root to whoever takes the account. The nightly backup runs under the
application's account; the deployment script, run by root, refuses to start from the tree.
"""

import configparser
import os
import subprocess

import pytest

from tests.scaleout.servers import BASE_DIR

DEPLOY = BASE_DIR / "deploy"


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser


def test_the_backup_unit_runs_under_the_applications_account():
    service = unit("cls-portail-backup.service")["Service"]
    assert service["User"] == "cls-portail"
    assert service["Group"] == "cls-portail"
    assert service["ExecStart"].startswith("/srv/cls-portail/deploy/")
    assert service["ReadWritePaths"] == "/var/backups/cls-portail"


@pytest.mark.skipif(os.geteuid() != 0, reason="le script s’arrête plus tôt hors de root")
def test_deploy_refuses_to_run_as_root_from_the_applications_tree(tmp_path):
    env_file = tmp_path / "env"
    env_file.write_text("DJANGO_SECRET_KEY=x\n")

    result = subprocess.run(
        ["bash", str(DEPLOY / "deploy.sh")],
        env={
            "PATH": os.environ["PATH"],
            "APP_DIR": str(BASE_DIR),
            "ENV_FILE": str(env_file),
            "APP_USER": "nobody",
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert "ne se lance pas depuis" in result.stderr
    assert "install -o root -g root -m 0755" in result.stderr


def test_no_script_passes_a_database_address_on_a_command_line():
    for script in ("backup.sh", "restore.sh"):
        text = (DEPLOY / script).read_text()
        assert '--dbname="$DATABASE_URL"' not in text
        assert '--dbname="$target"' not in text
        assert "pg_connection.py" in text
