#!/usr/bin/env bash
# The compose file's Kafka healthcheck runs the apache/kafka image's
#   /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server HOST:PORT
# This image answers it by connecting to HOST:PORT (a JVM every 5 s would cost more than the check).
set -euo pipefail
server=localhost:9092
while [[ $# -gt 0 ]]; do
	case $1 in
	--bootstrap-server) server=$2; shift 2 ;;
	*) shift ;;
	esac
done
exec 3<>"/dev/tcp/${server%:*}/${server##*:}"
