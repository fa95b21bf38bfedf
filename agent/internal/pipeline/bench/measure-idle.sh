#!/usr/bin/env bash
# make measure-idle: a live agent (default config: process scanning and
# live network capture on every interface)
# streaming to a local collector, left idle for DURATION seconds (default
# 600); prints its CPU use in percent of one core and its RSS (mean, max),
# read from /proc, next to the issue's goals and osquery's watchdog limits.
#
# As root it runs in a network namespace of its own (ISOLATE=0 to run on the
# host's interfaces): an idle host has no traffic, and a shared build machine
# is not idle. Process scanning still sees every process of the machine.
set -euo pipefail
if [ "$(id -u)" = 0 ] && [ "${ISOLATE:-1}" = 1 ] && [ -z "${SHADOWAI_IN_NETNS:-}" ]; then
  exec unshare --net env SHADOWAI_IN_NETNS=1 "$0" "$@"
fi
[ -n "${SHADOWAI_IN_NETNS:-}" ] && ip link set lo up
duration=${1:-600}
bin=$(cd "$(dirname "$0")/../../../.." && pwd)/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/shadowai-idle.XXXXXX")
cleanup() {
  for p in ${apid:-} ${cpid:-}; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
"$bin/shadowai-collector" serve --data "$work/collector" --listen 127.0.0.1:0 2>"$work/collector.log" &
cpid=$!
for _ in $(seq 100); do [ -s "$work/collector/collector.addr" ] && break; sleep 0.1; done
token=$("$bin/shadowai-collector" token create --data "$work/collector" | tail -n 1)
"$bin/shadowai-agent" enroll --collector "$(cat "$work/collector/collector.addr")" --token "$token" --state "$work/agent" >/dev/null
"$bin/shadowai-agent" run --state "$work/agent" 2>"$work/agent.log" &
apid=$!
sleep 5 # past start-up: first process scan, first heartbeat
tick=$(getconf CLK_TCK)
page=$(getconf PAGESIZE)
cpu() { awk '{print $14+$15}' "/proc/$apid/stat"; }
c0=$(cpu); t0=$(date +%s.%N); n=0; sum=0; maxrss=0
end=$(( $(date +%s) + duration ))
while [ "$(date +%s)" -lt "$end" ]; do
  rss=$(( $(awk '{print $2}' "/proc/$apid/statm") * page ))
  sum=$(( sum + rss )); n=$(( n + 1 )); [ "$rss" -gt "$maxrss" ] && maxrss=$rss
  sleep 5
done
c1=$(cpu); t1=$(date +%s.%N)
netns=""; [ -n "${SHADOWAI_IN_NETNS:-}" ] && netns=" of its own network namespace"
awk -v netns="$netns" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$tick" -v sum="$sum" -v n="$n" -v max="$maxrss" 'BEGIN {
  pct = 100 * (c1 - c0) / hz / (t1 - t0)
  printf "idle agent over %.0f s (process scan every 30 s, live capture on all interfaces%s, heartbeat every 60 s)\n", t1 - t0, netns
  printf "  cpu  %.3f%% of one core   (goal < 0.5%%; osquery watchdog 10%%)  ratio to goal %.2f\n", pct, pct / 0.5
  printf "  rss  mean %.1f MiB, max %.1f MiB   (goal < 40 MiB; osquery watchdog 200 MB)  ratio to goal %.2f\n", sum / n / 1048576, max / 1048576, max / 1048576 / 40
}'
grep -c "heartbeat failed" "$work/agent.log" | sed 's/^/  heartbeat failures: /' || true
if grep -E "sensor failed|not available on this host" "$work/agent.log"; then echo "  (a sensor was not running: see above)"; else echo "  sensors: process and network running the whole time"; fi
