#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and media folder.
#
#   DATABASE_URL=postgres://user:pass@host:5432/consult DJANGO_MEDIA_ROOT=/app/var/media \
#     scripts/restore.sh /backups/consult-20261205T060000Z
#
# Stop web, worker and beat first; create the database if it does not exist
# (createdb); run `manage.py migrate` afterwards when restoring into a newer release.
set -euo pipefail

source_dir="${1:?usage: restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?set DATABASE_URL to the postgres:// URL of the database}"
media_root="${DJANGO_MEDIA_ROOT:-var/media}"

pg_restore --exit-on-error --no-owner --no-acl --dbname="$DATABASE_URL" \
    "$source_dir/database.dump"
if [ -f "$source_dir/media.tar.gz" ]; then
    mkdir -p "$media_root"
    tar --extract --gzip --file="$source_dir/media.tar.gz" --directory="$media_root"
fi
echo "restored $source_dir"
