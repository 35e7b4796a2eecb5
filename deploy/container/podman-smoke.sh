#!/bin/sh
# Builds the image with podman and checks that its container serves: /hello and the readiness
# probe answer 200 within a 1 GiB / 2 CPU limit, and 'podman stop' (SIGTERM) ends it with 0.
# Run from the repository root after 'mvn -pl sample-app -am package -DskipTests', as root.
#   BASE_IMAGE  the base image (default: the Dockerfile's); with no image registry in reach,
#               build one from Debian packages:
#                 mmdebstrap --variant=minbase --include=openjdk-17-jre-headless,passwd bookworm base.tar
#                 podman import base.tar localhost/debian-jre17 && BASE_IMAGE=localhost/debian-jre17
#   PORT        the host port for the application; PORT+1 for the management port (default 18980)
#
# Explicit --ulimit values: podman's defaults (nofile 1048576) exceed the hard limits of a
# process without CAP_SYS_RESOURCE, and runc then fails with "error setting rlimit type 7".
set -eu
image=localhost/prefork-sample:smoke
name=prefork-sample-smoke-$$
port=${PORT:-18980}
limits="--ulimit nofile=1024:$(ulimit -Hn) --ulimit nproc=4096:4096"
podman build -f deploy/container/Dockerfile ${BASE_IMAGE:+--build-arg BASE_IMAGE=$BASE_IMAGE} $limits -t "$image" .
podman run -d --name "$name" $limits --memory 1g --cpus 2 --read-only --tmpfs /tmp \
	-p "127.0.0.1:$port:8080" -p "127.0.0.1:$((port + 1)):8081" "$image" \
	--management.server.port=8081 --management.endpoint.health.probes.enabled=true \
	--management.endpoint.health.group.readiness.include=readinessState,prefork
trap 'podman rm -f "$name" >/dev/null 2>&1 || true' EXIT
waited=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$((port + 1))/actuator/health/readiness")" = 200 ]; do
	if [ "$waited" -ge 300 ]; then
		podman logs "$name"
		echo "podman-smoke: not ready after $waited s" >&2
		exit 1
	fi
	sleep 2
	waited=$((waited + 2))
done
curl -sf "127.0.0.1:$port/hello"
echo
podman logs "$name" 2>&1 | grep -E "Memory plan|class-data archive"
podman stop -t 60 "$name" >/dev/null
code=$(podman inspect "$name" --format '{{.State.ExitCode}}')
echo "podman-smoke: ready after ~$waited s, stopped with exit code $code"
[ "$code" = 0 ]
