#!/usr/bin/env bash
# Creates the cluster on the first start (POSTGRES_USER with POSTGRES_PASSWORD, database
# POSTGRES_DB, password logins from anywhere), then runs the server in the foreground.
set -euo pipefail

user=${POSTGRES_USER:-postgres}
database=${POSTGRES_DB:-$user}
if [[ ! -s $PGDATA/PG_VERSION ]]; then
	: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
	password_file=$(mktemp)
	printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
	initdb --username="$user" --pwfile="$password_file" --auth-local=trust --auth-host=scram-sha-256 \
		--encoding=UTF8 --locale=C.UTF-8 >/dev/null
	rm -f "$password_file"
	printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
	if [[ $database != postgres ]]; then
		# a server on its Unix socket only, for this statement
		pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w -s start
		psql -q -v ON_ERROR_STOP=1 --username="$user" --dbname=postgres \
			-c "CREATE DATABASE \"$database\" OWNER \"$user\""
		pg_ctl -D "$PGDATA" -m fast -w -s stop
	fi
	echo "postgres.sh: created the cluster in $PGDATA with user $user and database $database"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
