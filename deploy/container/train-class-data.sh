#!/bin/sh
# Trains the workers' class-data archive: starts the application as a prefork master on a
# free loopback port with one worker, waits until the master reports the archive ready, then
# stops it with SIGTERM. Usage: train-class-data <the application's java command line...>
set -eu
log=$(mktemp)
"$@" --server.address=127.0.0.1 --server.port=0 --management.server.port=0 \
	--server.prefork.workers=1 >"$log" 2>&1 &
master=$!
waited=0
until grep -q "Class-data archive .* ready" "$log"; do
	if ! kill -0 "$master" 2>/dev/null || [ "$waited" -ge 600 ]; then
		cat "$log"
		echo "train-class-data: no class-data archive after ${waited} s" >&2
		kill -KILL "$master" 2>/dev/null || true
		exit 1
	fi
	sleep 1
	waited=$((waited + 1))
done
kill -TERM "$master"
wait "$master" || true
grep -E "Class-data archive|Memory plan" "$log"
rm -f "$log"
