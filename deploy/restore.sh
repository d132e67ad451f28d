#!/usr/bin/env bash
# Restauration d'une sauvegarde faite par deploy/backup.sh dans une base NEUVE.
#
#   RESTORE_DATABASE_URL=postgres://utilisateur:motdepasse@hôte:5432/postgres \
#       deploy/restore.sh /var/backups/cls-portail/cls-portail-AAAAMMJJ-HHMMSS.dump cls_restauree
#
# La base cible (le second argument, ou le nom de base d'une adresse postgres://… sans mot de passe)
# est créée si elle n'existe pas ; si elle existe et contient déjà des tables, le script refuse (il
# n'écrase jamais une base en service). Pour remettre le site sur la base restaurée : arrêter
# gunicorn, pointer DATABASE_URL dessus (ou renommer les bases), redémarrer.
# Le serveur, le rôle et son mot de passe viennent de RESTORE_DATABASE_URL (ou à défaut de
# DATABASE_URL), dans l'environnement : jamais sur la ligne de commande, que ps montre à tous les
# comptes (deploy/pg_connection.py). MAINTENANCE_DB : base où se connecter pour créer la cible
# (postgres par défaut).
set -euo pipefail

usage="Usage : RESTORE_DATABASE_URL=postgres://… $0 FICHIER.dump base_cible"
if [ "$#" -ne 2 ]; then
    echo "$usage" >&2
    exit 2
fi
dump="$1"
target="$2"
if [ ! -r "$dump" ]; then
    echo "Sauvegarde introuvable ou illisible : $dump" >&2
    exit 2
fi

connection_url="${RESTORE_DATABASE_URL:-${DATABASE_URL:-}}"
if [[ "$target" =~ ^postgres(ql)?:// ]]; then
    # An address as the target (as before): its server, role and base, never its password (a
    # password file of the operator's, ~/.pgpass, still works).
    if [[ "${target%%\?*}" =~ ^postgres(ql)?://[^/@]*:[^/@]*@ ]]; then
        echo "Le mot de passe ne se met pas sur la ligne de commande : passez-le par RESTORE_DATABASE_URL." >&2
        exit 2
    fi
    connection_url="$target"
    database="${target%%\?*}"
    database="${database##*/}"
else
    database="$target"
fi
if [ -z "$connection_url" ]; then
    echo "$usage" >&2
    exit 2
fi
maintenance="${MAINTENANCE_DB:-postgres}"
for name in "$database" "$maintenance"; do
    if [[ ! "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
        echo "Nom de base attendu (lettres, chiffres, _) : $name" >&2
        exit 2
    fi
done

private="$(mktemp -d)"
trap 'rm -rf -- "$private"' EXIT
connection="$(CONNECTION_URL="$connection_url" PGPASS_PATH="$private/pgpass" \
    python3 "$(dirname "$0")/pg_connection.py")"
eval "$connection"

# Names only on the command lines: server, role and password come from libpq's environment.
psql_on() {
    psql --no-psqlrc --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 --dbname="$1" "${@:2}"
}

# Relire la sauvegarde avant de toucher au serveur.
pg_restore --list "$dump" >/dev/null

# Le nom a été vérifié plus haut (lettres, chiffres, _) : il peut être cité tel quel.
exists="$(psql_on "$maintenance" -c "SELECT 1 FROM pg_database WHERE datname = '$database'")"
if [ -n "$exists" ]; then
    tables="$(psql_on "$database" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
    if [ "$tables" != "0" ]; then
        echo "La base $database existe déjà et contient $tables table(s) : restauration refusée." >&2
        exit 1
    fi
else
    psql_on "$maintenance" -c "CREATE DATABASE \"$database\" TEMPLATE template0 ENCODING 'UTF8'"
fi

# Une seule transaction : en cas d'erreur, la base cible reste vide, jamais à moitié restaurée.
pg_restore --dbname="$database" --no-owner --no-privileges --exit-on-error --single-transaction "$dump"
psql_on "$database" -c "ANALYZE"

echo "Sauvegarde $dump restaurée dans la base $database."
