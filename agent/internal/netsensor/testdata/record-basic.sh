#!/usr/bin/env bash
# Records basic.pcap: real clients (dig over UDP and TCP, curl over TLS)
# talking to local sinks inside a private network namespace, so nothing
# leaves the machine. Needs root, tcpdump, dig, curl, openssl and python3.
#   sudo ./record-basic.sh            # writes basic.pcap beside this script
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "${IN_NETNS:-}" != 1 ]; then
  exec unshare -n env IN_NETNS=1 "$0" "$@"
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
ip link set lo up
ip link set lo mtu 1500
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=sink -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
python3 "$here/dnssink.py" &
openssl s_server -quiet -accept 443 -cert "$work/cert.pem" -key "$work/key.pem" -www >/dev/null 2>&1 &
tcpdump -i lo -U -w "$work/out.pcap" 'port 53 or port 443' 2>/dev/null &
sleep 1
for name in chatgpt.com api.anthropic.com www.example.org; do
  dig +tries=1 +time=1 @127.0.0.1 "$name" A >/dev/null 2>&1 || true
done
dig +tcp +tries=1 +time=1 @127.0.0.1 Claude.AI A >/dev/null 2>&1 || true
for host in chatgpt.com api.openai.com gemini.google.com www.example.org; do
  curl -sk --max-time 3 --resolve "$host:443:127.0.0.1" "https://$host/" >/dev/null || true
done
sleep 1
kill %2
wait %2 2>/dev/null || true
cp "$work/out.pcap" "$here/basic.pcap"
echo "wrote $here/basic.pcap"
