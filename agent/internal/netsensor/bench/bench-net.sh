#!/usr/bin/env bash
# Compares `shadowai-agent scan` with ndpiReader and tshark on the same
# generated office-like capture: alternating runs, wall-clock medians,
# ratios, peak RSS, and whether each finds the names the others find.
#   bench-net.sh AGENT_BINARY [WORKDIR] [RUNS] [PACKETS]
set -euo pipefail
agent=$(realpath "$1")
work=${2:-/tmp/shadowai-bench-net}
runs=${3:-5}
packets=${4:-600000}
root=$(cd "$(dirname "$0")/../../../.." && pwd)
mkdir -p "$work"
pcap=$work/office.pcap
for tool in ndpiReader tshark python3; do
  command -v $tool >/dev/null || { echo "bench-net: $tool is not installed (apt-get install ndpi-bin tshark python3)"; exit 1; }
done
if [ ! -s "$pcap" ]; then
  (cd "$root" && go run ./agent/internal/netsensor/genoffice -o "$pcap" -packets "$packets" -names "$work/office.names")
fi
echo "capture: $pcap ($(du -h "$pcap" | cut -f1), $packets packets)"

scan()   { "$agent" scan --pcap "$pcap" --format jsonl >"$work/scan.jsonl" 2>"$work/scan.err"; }
ndpi()   { ndpiReader -i "$pcap" -v 2 >"$work/ndpi.txt" 2>/dev/null; }
tsharkx() {
  tshark -r "$pcap" -n -T fields -E separator=/t -e udp.port -e dns.qry.name -e tls.handshake.extensions_server_name \
    -Y 'dns.flags.response==0 or tls.handshake.type==1' >"$work/tshark.txt" 2>/dev/null
}
# timed NAME FUNC: appends "name wall_seconds maxrss_kb cpu_seconds" to
# the results. CPU seconds (user + system) matter on a shared machine,
# where wall time also counts the wait for a core.
timed() {
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/rss" bash -c "$(declare -f $2); agent=$agent pcap=$pcap work=$work $2"
  t1=$(date +%s.%N)
  read -r kb user sys <"$work/rss"
  echo "$1 $(echo "$t1 - $t0" | bc) $kb $(echo "$user + $sys" | bc)" >>"$work/results"
}
: >"$work/results"
cat "$pcap" >/dev/null # page cache warm for every tool alike
for i in $(seq "$runs"); do
  echo "round $i/$runs"
  timed scan scan
  timed ndpiReader ndpi
  timed tshark tsharkx
done
python3 "$(dirname "$0")/report.py" "$work"
