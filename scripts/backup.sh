#!/usr/bin/env bash
# Back up Consult: the PostgreSQL database (pg_dump custom format) and the media
# folder (client PDF summaries), into one dated folder.
#
#   DATABASE_URL=postgres://user:pass@host:5432/consult DJANGO_MEDIA_ROOT=/app/var/media \
#     scripts/backup.sh /backups
#
# Restore with scripts/restore.sh. Run it from cron or a systemd timer; keep copies
# off the machine. Backups hold client data: store them encrypted, and delete them
# with the retention the privacy policy promises (DATA_RETENTION_DAYS).
set -euo pipefail

target_root="${1:?usage: backup.sh TARGET_DIR}"
: "${DATABASE_URL:?set DATABASE_URL to the postgres:// URL of the database}"
media_root="${DJANGO_MEDIA_ROOT:-var/media}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$target_root/consult-$stamp"
mkdir -p "$target"
chmod 700 "$target"

# --no-owner/--no-acl: restorable into a database owned by another role.
pg_dump --format=custom --no-owner --no-acl --file="$target/database.dump" "$DATABASE_URL"
if [ -d "$media_root" ]; then
    tar --create --gzip --file="$target/media.tar.gz" --directory="$media_root" .
fi
echo "$target"
