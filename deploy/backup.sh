#!/usr/bin/env bash
# Sauvegarde de la base du portail CLS : pg_dump au format personnalisé (compressé, restaurable
# table par table avec pg_restore), vérifiée, puis rotation des plus anciennes.
#
#   DATABASE_URL=postgres://… deploy/backup.sh [dossier]
#
# Variables : DATABASE_URL (obligatoire, celle du site), BACKUP_DIR (dossier des sauvegardes,
# /var/backups/cls-portail par défaut ; le premier argument le remplace), BACKUP_KEEP (nombre de
# sauvegardes gardées, 14 par défaut), DJANGO_MEDIA_ROOT (les fichiers déposés — images des actions,
# logos — archivés à côté de la base, sous le même horodatage, s'il est défini). Affiche le chemin
# de la sauvegarde créée.
# Les sauvegardes contiennent des données personnelles (demandes mutuelle) : fichiers en 0600.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL doit désigner la base à sauvegarder (postgres://…)}"
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
if [ -e "$target" ]; then
    echo "Une sauvegarde porte déjà ce nom : $target (relancez dans une seconde)." >&2
    exit 1
fi
trap 'rm -f "$partial"' EXIT

# --no-owner / --no-privileges : la sauvegarde se restaure sous n'importe quel rôle propriétaire.
pg_dump --dbname="$DATABASE_URL" --format=custom --compress=6 --no-owner --no-privileges --file="$partial"
# Une sauvegarde illisible ne doit pas remplacer les bonnes : on la relit avant de la garder.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$target"
trap - EXIT

# The rows of the database point at these files: a restore without them shows broken images.
media_root="${DJANGO_MEDIA_ROOT:-}"
if [ -n "$media_root" ] && [ -d "$media_root" ]; then
    media_target="$backup_dir/cls-portail-$stamp.media.tar.gz"
    trap 'rm -f "$media_target.partiel"' EXIT
    tar --create --gzip --file="$media_target.partiel" --directory="$media_root" .
    mv "$media_target.partiel" "$media_target"
    trap - EXIT
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
