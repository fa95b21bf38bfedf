#!/usr/bin/env bash
# Live benchmark: replays the bench-net office capture with tcpreplay onto
# a veth pair inside a private network namespace while the agent captures
# live on the other end (AF_PACKET, built-in kernel filter), first at
# 200k packets per second, then at top speed. Prints packets per second,
# kernel drops, the agent's CPU seconds and peak RSS. Needs root,
# tcpreplay, and the capture (`make bench-net` generates it).
#   live-bench.sh AGENT_BINARY [WORKDIR]
set -euo pipefail
agent=$(realpath "$1")
work=$(realpath "${2:-/tmp/shadowai-bench-net}")
pcap=$work/office.pcap
root=$(cd "$(dirname "$0")/../../../.." && pwd)
if [ "${IN_NETNS:-}" != 1 ]; then
  command -v tcpreplay >/dev/null || { echo "live-bench: tcpreplay is not installed (apt-get install tcpreplay)"; exit 1; }
  if [ ! -s "$pcap" ]; then
    mkdir -p "$work"
    (cd "$root" && go run ./agent/internal/netsensor/genoffice -o "$pcap" -packets 600000)
  fi
  exec unshare -n env IN_NETNS=1 "$0" "$agent" "$work"
fi
ip link add sai0 type veth peer name sai1
ip link set sai0 up mtu 1500
ip link set sai1 up mtu 1500 promisc on
ethtool -K sai1 gro off >/dev/null 2>&1 || true

run() { # run LABEL AGENT_FLAGS TCPREPLAY_RATE_FLAGS...
  local label=$1 flags=$2
  shift 2
  /usr/bin/time -f "%U %S %M" -o "$work/live.time" "$agent" scan --iface sai1 --duration 10m $flags \
    >"$work/live.jsonl" 2>"$work/live.err" &
  local pid=$!
  sleep 2 # the socket is open and the filter installed well before this
  tcpreplay -i sai0 "$@" "$pcap" >"$work/tcpreplay.out" 2>&1
  sleep 1
  kill -INT "$(pgrep -P $pid || echo $pid)" 2>/dev/null || true
  wait $pid || true
  local sent rate summary user sys rss
  sent=$(grep -oE 'Actual: [0-9]+ packets' "$work/tcpreplay.out" | grep -oE '[0-9]+' | head -1)
  rate=$(grep -oE 'Rated: [0-9.]+ Bps, [0-9.]+ Mbps, [0-9.]+ pps' "$work/tcpreplay.out" | grep -oE '[0-9.]+ pps')
  read -r user sys rss <"$work/live.time"
  summary=$(grep '^captured' "$work/live.err" || cat "$work/live.err")
  echo "$label: tcpreplay sent ${sent:-?} packets at ${rate:-?}"
  echo "  agent: $summary"
  echo "  agent CPU: $(echo "$user + $sys" | bc) s (user $user, sys $sys); peak RSS $((rss / 1024)) MiB; $(wc -l <"$work/live.jsonl") observations"
}
run "200k pps" "" --pps=200000
run "top speed" "" --topspeed
run "top speed, no kernel filter (every packet through the sensor)" --no-filter --topspeed
