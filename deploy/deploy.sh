#!/usr/bin/env bash
# Mise à jour du portail CLS sur une machine : code, dépendances, contrôle, sauvegarde,
# migrations, fichiers statiques, rechargement sans coupure, vérification.
#
#   sudo cls-portail-deploy                            # la branche suivie (main)
#   sudo DEPLOY_REF=v1.4.0 cls-portail-deploy
#
# Lancé par root, donc jamais depuis l'arborescence de l'application, que le compte du service
# peut modifier : il est installé une fois relu, hors de cette arborescence, par
#   install -o root -g root -m 0755 /srv/cls-portail/deploy/deploy.sh /usr/local/sbin/cls-portail-deploy
# (et de même à chaque fois qu'il change : il le signale à la fin). Il refuse de tourner depuis
# APP_DIR. Les commandes de l'application, la sauvegarde comprise, tournent sous le compte du
# service (APP_USER), avec les réglages du service (ENV_FILE) ; root ne lance aucun fichier de
# l'arborescence. Avec plusieurs instances, lancez-le sur une seule machine avec les migrations,
# puis sur les autres avec SKIP_MIGRATE=1 (docs/production.md).
set -euo pipefail

APP_DIR="${APP_DIR:-/srv/cls-portail}"
APP_USER="${APP_USER:-cls-portail}"
ENV_FILE="${ENV_FILE:-/etc/cls-portail/env}"
SERVICE="${SERVICE:-cls-portail}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/cls-portail}"
DEPLOY_REF="${DEPLOY_REF:-}"
SKIP_MIGRATE="${SKIP_MIGRATE:-0}"

say() { printf '\n==> %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "À lancer en root (sudo) : il recharge le service $SERVICE." >&2
    exit 2
fi
if [ ! -r "$ENV_FILE" ]; then
    echo "Fichier de réglages introuvable : $ENV_FILE" >&2
    exit 2
fi
this_script="$(realpath "$0")"
case "$this_script" in
    "$(realpath "$APP_DIR")"/*)
        echo "Ce script tourne en root : il ne se lance pas depuis $APP_DIR, que le compte $APP_USER peut modifier." >&2
        echo "Installez-le une fois relu : install -o root -g root -m 0755 $this_script /usr/local/sbin/cls-portail-deploy" >&2
        exit 2
        ;;
esac
cd "$APP_DIR"

# Les réglages du service (lignes NOM=valeur, le format d'EnvironmentFile de systemd).
set -a
# shellcheck source=/dev/null
. "$ENV_FILE"
set +a

# Une commande sous le compte du service, avec les réglages ci-dessus.
as_app() {
    runuser -u "$APP_USER" -- env "PATH=$APP_DIR/.venv/bin:/usr/bin:/bin" "$@"
}
manage() {
    as_app "$APP_DIR/.venv/bin/python" manage.py "$@"
}

say "Code"
as_app git fetch --quiet --tags origin
if [ -n "$DEPLOY_REF" ]; then
    as_app git checkout --quiet --detach "$DEPLOY_REF"
else
    as_app git pull --quiet --ff-only
fi
as_app git log -1 --format='%h %s'

say "Dépendances (requirements.txt, versions épinglées)"
as_app "$APP_DIR/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt

say "Contrôle de la configuration de production"
manage check --deploy --fail-level WARNING

if [ "$SKIP_MIGRATE" != "1" ]; then
    say "Sauvegarde avant migration"
    # Under the service's account, as the nightly backup: root runs nothing of the tree.
    as_app env BACKUP_DIR="$BACKUP_DIR" "$APP_DIR/deploy/backup.sh"

    say "Migrations"
    manage migrate --noinput
fi

say "Fichiers statiques"
manage collectstatic --noinput --verbosity 0

say "Rechargement de gunicorn (les requêtes en cours se terminent)"
systemctl reload "$SERVICE"

# The pages kept in cache were rendered by the previous code and templates: once the new workers
# serve, every page is rendered again at its next visit.
say "Cache des pages"
manage clear_page_cache

if ! cmp -s "$this_script" "$APP_DIR/deploy/deploy.sh"; then
    say "Attention : deploy/deploy.sh a changé dans le code déployé"
    echo "Relisez-le (diff $this_script $APP_DIR/deploy/deploy.sh), puis réinstallez-le :"
    echo "  install -o root -g root -m 0755 $APP_DIR/deploy/deploy.sh $this_script"
fi

say "Vérification : /sante/"
bind="${GUNICORN_BIND:-127.0.0.1:8000}"
if [[ "$bind" == unix:* ]]; then
    health=(curl --silent --fail --max-time 5 --unix-socket "${bind#unix:}" http://localhost/sante/)
else
    health=(curl --silent --fail --max-time 5 "http://$bind/sante/")
fi
# Comme nginx l’enverrait (HTTPS, nom du site) : /sante/ répond aussi en HTTP simple.
for _ in $(seq 1 30); do
    if "${health[@]}" -H "X-Forwarded-Proto: https" -H "Host: ${DJANGO_ALLOWED_HOSTS%%,*}" >/dev/null; then
        echo "Le portail répond."
        exit 0
    fi
    sleep 1
done
echo "Le portail ne répond pas sur /sante/ après 30 s : journalctl -u $SERVICE" >&2
exit 1
