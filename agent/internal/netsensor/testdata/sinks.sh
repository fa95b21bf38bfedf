# Sourced by the record-*.sh generators, already inside a private network
# namespace: sets up loopback like a LAN link and starts the local sinks
# real clients talk to (DNS on 53 over UDP/TCP/IPv6, TLS on 443). Sets
# $work, a temporary directory removed on exit with every job.
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
ip link set lo up
ip link set lo mtu 1500
ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || true
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=sink -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
python3 "$here/dnssink.py" &
openssl s_server -quiet -accept 443 -cert "$work/cert.pem" -key "$work/key.pem" -www >/dev/null 2>&1 &

# start_capture FILTER: waits until the sinks answer (a loaded machine
# starts them slowly), then runs tcpdump into $work/out.pcap until it
# listens; $tcpdump_job is its job.
start_capture() {
  for _ in $(seq 100); do
    if dig +short +tries=1 +time=1 @127.0.0.1 ready.test >/dev/null 2>&1 && ss -ltn | grep -q ':443 '; then
      break
    fi
    sleep 0.2
  done
  tcpdump -i lo -U -s 0 -w "$work/out.pcap" "$1" 2>"$work/tcpdump.err" &
  tcpdump_job=$!
  for _ in $(seq 100); do grep -q listening "$work/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
}

# stop_capture NAME: stops tcpdump and copies the capture beside the script.
stop_capture() {
  sleep 1
  kill "$tcpdump_job"
  wait "$tcpdump_job" 2>/dev/null || true
  cp "$work/out.pcap" "$here/$1"
  echo "wrote $here/$1"
}
