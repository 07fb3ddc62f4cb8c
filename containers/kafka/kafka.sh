#!/usr/bin/env bash
# Writes server.properties from the KAFKA_* variables as the apache/kafka image does
# (KAFKA_FOO_BAR -> foo.bar, '__' -> '_', '___' -> '-'), formats the log directory on the first
# start (cluster id: CLUSTER_ID or a random one), then runs the broker in the foreground.
set -euo pipefail

config=/opt/kafka/config/server.properties
: >"$config"
while IFS='=' read -r name value; do
	case $name in
	KAFKA_HEAP_OPTS | KAFKA_OPTS) continue ;;
	KAFKA_*) ;;
	*) continue ;;
	esac
	key=${name#KAFKA_}
	key=${key,,}
	key=${key//___/-}
	key=${key//__/@}
	key=${key//_/.}
	printf '%s=%s\n' "${key//@/_}" "$value" >>"$config"
done < <(env)

classpath='/opt/kafka/libs/*'
java_options=(${KAFKA_HEAP_OPTS:--Xmx512m} ${KAFKA_OPTS:-} -Dlogback.configurationFile=/opt/kafka/logback.xml
	-Dlog4j2.level=warn)
log_dir=$(sed -n 's/^log\.dirs=//p' "$config" | cut -d, -f1)
if [[ ! -f ${log_dir:-/var/lib/kafka/data}/meta.properties ]]; then
	cluster_id=${CLUSTER_ID:-}
	while [[ -z $cluster_id || $cluster_id == -* ]]; do
		# a random UUID in Kafka's form (base64url, 22 characters); never starting with '-'
		cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c 1-22)
	done
	java "${java_options[@]}" -cp "$classpath" kafka.tools.StorageTool format -t "$cluster_id" -c "$config"
fi
exec java "${java_options[@]}" -cp "$classpath" kafka.Kafka "$config"
