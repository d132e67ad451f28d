#!/usr/bin/env bash
# Sauvegarde de la base du portail CLS : pg_dump au format personnalisé (compressé, restaurable
# table par table avec pg_restore), vérifiée, puis rotation des plus anciennes.
#
#   BACKUP_DATABASE_URL=postgres://… deploy/backup.sh [dossier]
#
# Lancé par le compte du service (cls-portail), jamais par root : cls-portail-backup.service.
# Variables : BACKUP_DATABASE_URL (le rôle de sauvegarde, en lecture seule : docs/production.md),
# ou à défaut DATABASE_URL (celle du site), BACKUP_DIR (dossier des sauvegardes,
# /var/backups/cls-portail par défaut ; le premier argument le remplace), BACKUP_KEEP (nombre de
# sauvegardes gardées, 14 par défaut), DJANGO_MEDIA_ROOT (les fichiers déposés — images des actions,
# logos — archivés à côté de la base, sous le même horodatage, s'il est défini). Affiche le chemin
# de la sauvegarde créée.
# Les sauvegardes contiennent des données personnelles (demandes mutuelle) : fichiers en 0600.
# Le mot de passe n'apparaît sur aucune ligne de commande (ps les montre à tous les comptes) :
# libpq lit l'adresse dans son environnement et le mot de passe dans un fichier propre à ce
# lancement, effacé à la fin (deploy/pg_connection.py).
set -euo pipefail

connection_url="${BACKUP_DATABASE_URL:-${DATABASE_URL:-}}"
if [ -z "$connection_url" ]; then
    echo "BACKUP_DATABASE_URL (ou DATABASE_URL) doit désigner la base à sauvegarder (postgres://…)." >&2
    exit 2
fi
backup_dir="${1:-${BACKUP_DIR:-/var/backups/cls-portail}}"
keep="${BACKUP_KEEP:-14}"
if ! [[ "$keep" =~ ^[1-9][0-9]*$ ]]; then
    echo "BACKUP_KEEP doit être un nombre entier positif (reçu : « $keep »)." >&2
    exit 2
fi

umask 077
mkdir -p "$backup_dir"
stamp="$(date -u +%Y%m%d-%H%M%S)"
target="$backup_dir/cls-portail-$stamp.dump"
partial="$target.partiel"
media_partial=""
if [ -e "$target" ]; then
    echo "Une sauvegarde porte déjà ce nom : $target (relancez dans une seconde)." >&2
    exit 1
fi
private="$(mktemp -d)"
cleanup() {
    rm -rf -- "$private"
    rm -f -- "$partial" ${media_partial:+"$media_partial"}
}
trap cleanup EXIT

connection="$(CONNECTION_URL="$connection_url" PGPASS_PATH="$private/pgpass" \
    python3 "$(dirname "$0")/pg_connection.py")"
eval "$connection"

# --no-owner / --no-privileges : la sauvegarde se restaure sous n'importe quel rôle propriétaire.
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial"
# Une sauvegarde illisible ne doit pas remplacer les bonnes : on la relit avant de la garder.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$target"

# The rows of the database point at these files: a restore without them shows broken images.
media_root="${DJANGO_MEDIA_ROOT:-}"
if [ -n "$media_root" ] && [ -d "$media_root" ]; then
    media_target="$backup_dir/cls-portail-$stamp.media.tar.gz"
    media_partial="$media_target.partiel"
    tar --create --gzip --file="$media_partial" --directory="$media_root" .
    mv "$media_partial" "$media_target"
fi

# Rotation : les BACKUP_KEEP plus récentes restent (les noms datés se trient dans l'ordre),
# avec l'archive des fichiers déposés du même horodatage.
mapfile -t backups < <(find "$backup_dir" -maxdepth 1 -type f -name 'cls-portail-*.dump' | sort)
if (( ${#backups[@]} > keep )); then
    for old in "${backups[@]:0:${#backups[@]}-keep}"; do
        rm -f -- "$old" "${old%.dump}.media.tar.gz"
    done
fi

echo "$target"
