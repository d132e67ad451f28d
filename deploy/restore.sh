#!/usr/bin/env bash
# Restauration d'une sauvegarde faite par deploy/backup.sh dans une base NEUVE.
#
#   deploy/restore.sh /var/backups/cls-portail/cls-portail-AAAAMMJJ-HHMMSS.dump postgres://…/cls_restauree
#
# La base cible est créée si elle n'existe pas ; si elle existe et contient déjà des tables, le
# script refuse (il n'écrase jamais une base en service). Pour remettre le site sur la base
# restaurée : arrêter gunicorn, pointer DATABASE_URL dessus (ou renommer les bases), redémarrer.
# MAINTENANCE_DB : base où se connecter pour créer la cible (postgres par défaut).
set -euo pipefail

if [ "$#" -ne 2 ]; then
    echo "Usage : $0 FICHIER.dump postgres://utilisateur@hôte:5432/base_cible" >&2
    exit 2
fi
dump="$1"
target="$2"
if [ ! -r "$dump" ]; then
    echo "Sauvegarde introuvable ou illisible : $dump" >&2
    exit 2
fi

# postgres://utilisateur:motdepasse@hôte:port/base?options → le nom de la base et le serveur.
address="${target%%\?*}"
query=""
if [[ "$target" == *\?* ]]; then
    query="?${target#*\?}"
fi
database="${address##*/}"
server="${address%/*}"
if [[ ! "$address" =~ ^postgres(ql)?:// ]] || [[ ! "$database" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    echo "La cible doit être une adresse postgres://…/nom_de_base (lettres, chiffres, _) : $target" >&2
    exit 2
fi
maintenance="$server/${MAINTENANCE_DB:-postgres}$query"

psql_on() {
    psql --no-psqlrc --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 --dbname="$1" "${@:2}"
}

# Relire la sauvegarde avant de toucher au serveur.
pg_restore --list "$dump" >/dev/null

# Le nom a été vérifié plus haut (lettres, chiffres, _) : il peut être cité tel quel.
exists="$(psql_on "$maintenance" -c "SELECT 1 FROM pg_database WHERE datname = '$database'")"
if [ -n "$exists" ]; then
    tables="$(psql_on "$target" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
    if [ "$tables" != "0" ]; then
        echo "La base $database existe déjà et contient $tables table(s) : restauration refusée." >&2
        exit 1
    fi
else
    psql_on "$maintenance" -c "CREATE DATABASE \"$database\" TEMPLATE template0 ENCODING 'UTF8'"
fi

# Une seule transaction : en cas d'erreur, la base cible reste vide, jamais à moitié restaurée.
pg_restore --dbname="$target" --no-owner --no-privileges --exit-on-error --single-transaction "$dump"
psql_on "$target" -c "ANALYZE"

echo "Sauvegarde $dump restaurée dans la base $database."
