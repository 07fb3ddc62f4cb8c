#!/usr/bin/env bash
# Builds the compose stack's images on the Debian base (compose.debian.yml), where eclipse-temurin,
# postgres and apache/kafka cannot be pulled:
#   compose-images.sh [maven-repository]      (default ~/.m2/repository)
# 1. the base image (scripts/podman-base.sh: once, kept in podman's storage);
# 2. the worker's TensorFlow natives jar linked from the Maven repository into its build context;
# 3. podman-compose -f docker-compose.yml -f compose.debian.yml build.
# Run after ./mvnw package; the compose system test runs it. One run at a time: a second waits for
# the first, then finds every layer cached.
set -euo pipefail
cd "$(dirname "$0")/.."

repository=${1:-$HOME/.m2/repository}
natives=tensorflow-native-cpu-2.10.1-linux-x86_64.jar

bash scripts/podman-base.sh
exec 8>"${TMPDIR:-/tmp}/batchline-compose-images.lock"
flock 8
if [[ ! -e worker-service/target/$natives ]]; then
	source=$repository/ai/djl/tensorflow/tensorflow-native-cpu/2.10.1/$natives
	ln "$source" worker-service/target/ 2>/dev/null || cp "$source" worker-service/target/
fi
start=$(date +%s)
# the stack's secrets are read when it runs, not when it is built
BATCHLINE_SECRETS_KEY=${BATCHLINE_SECRETS_KEY:-unused-at-build} \
	BATCHLINE_API_ADMIN_TOKEN=${BATCHLINE_API_ADMIN_TOKEN:-unused-at-build} \
	podman-compose -f docker-compose.yml -f compose.debian.yml build >&2
echo "compose-images: built in $(($(date +%s) - start)) s"
