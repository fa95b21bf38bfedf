#!/usr/bin/env bash
# make demo: a collector and an agent on this machine, end to end, in a
# temporary directory: start the collector, create a token, enroll the
# agent, stream a capture, print the inventory, stop.
set -euo pipefail
pcap=${1:?usage: demo.sh CAPTURE}
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/shadowai-demo.XXXXXX")
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== 1. collector: own CA and SQLite in $work/collector, mutual TLS on a free port"
"$bin/shadowai-collector" serve --data "$work/collector" --listen 127.0.0.1:0 2>"$work/collector.log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/collector/collector.addr" ] && break; sleep 0.1; done
addr=$(cat "$work/collector/collector.addr")
echo "   listening on $addr"

echo "== 2. one-time enrollment token (pins the collector's CA)"
token=$("$bin/shadowai-collector" token create --data "$work/collector" | tail -n 1)
echo "   $token"

echo "== 3. agent enrolls: its key never leaves the host, the collector signs its certificate"
"$bin/shadowai-agent" enroll --collector "$addr" --token "$token" --state "$work/agent"

echo "== 4. what the agent sees in $pcap"
"$bin/shadowai-agent" scan --pcap "$pcap" --format table

echo "== 5. agent streams its sightings; exits once the collector acknowledged every one"
"$bin/shadowai-agent" run --state "$work/agent" --pcap "$pcap" 2>&1

echo "== 6. the collector's AI inventory"
"$bin/shadowai-collector" inventory --data "$work/collector"
