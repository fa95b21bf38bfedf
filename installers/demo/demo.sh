#!/usr/bin/env bash
# make demo: a collector and an agent on this machine, end to end, in a
# temporary directory: start the collector, create a token, enroll the
# agent, stream captures of real clients (dig, curl, openssl, Chromium over
# TCP and QUIC), then show the inventory, a policy decision and the weekly
# report. KEEP=1 keeps the directory (and the report) afterwards.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: demo.sh CAPTURE..." >&2; exit 2; }
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/shadowai-demo.XXXXXX")
cleanup() {
  if [ -n "${pid:-}" ]; then kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== 1. collector: own CA and SQLite in $work/collector, mutual TLS on a free port"
"$bin/shadowai-collector" serve --data "$work/collector" --listen 127.0.0.1:0 2>"$work/collector.log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/collector/collector.addr" ] && break; sleep 0.1; done
[ -s "$work/collector/collector.addr" ] || { echo "collector did not start:" >&2; cat "$work/collector.log" >&2; exit 1; }
addr=$(cat "$work/collector/collector.addr")
echo "   listening on $addr"

echo "== 2. one-time enrollment token (pins the collector's CA)"
token=$("$bin/shadowai-collector" token create --data "$work/collector" | tail -n 1)
echo "   $token"

echo "== 3. agent enrolls: its key never leaves the host, the collector signs its certificate"
"$bin/shadowai-agent" enroll --collector "$addr" --token "$token" --state "$work/agent"

for pcap in "$@"; do
  echo "== 4. what the agent sees in $pcap (every name, AI or not)"
  "$bin/shadowai-agent" scan --pcap "$pcap" --format table
  echo "== 5. agent streams the AI sightings; exits once the collector acknowledged every one"
  "$bin/shadowai-agent" run --state "$work/agent" --pcap "$pcap" 2>&1
done

echo "== 6. the collector's AI inventory"
"$bin/shadowai-collector" inventory --data "$work/collector"

echo "== 7. IT decides: DeepSeek is not allowed, ChatGPT is"
"$bin/shadowai-collector" policy set deepseek unsanctioned --data "$work/collector"
"$bin/shadowai-collector" policy set openai-chatgpt sanctioned --data "$work/collector"
"$bin/shadowai-collector" inventory --data "$work/collector" --unsanctioned

echo "== 8. endpoints and their health"
"$bin/shadowai-collector" endpoints --data "$work/collector"

# The bundled captures carry the time they were recorded: report on the
# week of the newest sighting, not today's week, which may hold none.
last=$("$bin/shadowai-collector" inventory --data "$work/collector" --format csv | awk -F, 'NR > 1 && $(NF-1) > m { m = $(NF-1) } END { print m }')
week=$(date -u -d "$last" +%G-W%V 2>/dev/null || date -u +%G-W%V)
echo "== 9. the shadow-AI report of the week the captures were recorded ($week; scheduled reports cover the last full week)"
"$bin/shadowai-collector" report weekly --week "$week" --data "$work/collector" --out "$work/report"
ls -l "$work/report"
