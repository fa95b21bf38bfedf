#!/usr/bin/env bash
# Records clients.pcap: real clients against local sinks inside a private
# network namespace (nothing leaves the machine), with loopback at MTU 1500
# and segmentation offloads off so TCP segments split as on a LAN:
#   dig over UDP, TCP and IPv6 (mixed-case name), curl and openssl s_client
#   over TLS, headless Chromium over TCP (post-quantum key share: the
#   ClientHello spans two segments) and over QUIC (the ClientHello spread
#   over several Initial packets; the UDP sink never answers, so Chromium
#   also retransmits them).
# Needs root, tcpdump, dig, curl, openssl, python3, ethtool and chromium.
#   sudo ./record-clients.sh            # writes clients.pcap beside this script
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "${IN_NETNS:-}" != 1 ]; then
  exec unshare -n env IN_NETNS=1 "$0" "$@"
fi
. "$here/sinks.sh"
# A QUIC sink: reads Initials on UDP 443 and never answers.
python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 443))
while True: s.recv(65535)' &
for _ in $(seq 100); do ss -lun | grep -q ':443 ' && ss -lun | grep -q '\[::1\]:53 ' && break; sleep 0.1; done
start_capture 'port 53 or port 443'
dig +tries=1 +time=1 @127.0.0.1 chatgpt.com A >/dev/null 2>&1 || true
dig +tcp +tries=1 +time=1 @127.0.0.1 Claude.AI A >/dev/null 2>&1 || true
dig +tries=1 +time=1 @::1 Api.Anthropic.COM AAAA >/dev/null 2>&1 || true
curl -sk --max-time 3 --resolve api.openai.com:443:127.0.0.1 https://api.openai.com/ >/dev/null || true
echo | openssl s_client -connect 127.0.0.1:443 -servername api.mistral.ai -alpn h2 >/dev/null 2>&1 || true
chrome() {
  timeout 8 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d -p "$work")" \
    --ignore-certificate-errors --host-resolver-rules='MAP * 127.0.0.1' "$@" >/dev/null 2>&1 || true
}
chrome --dump-dom https://chat.deepseek.com/
chrome --origin-to-force-quic-on=copilot.microsoft.com:443 --dump-dom https://copilot.microsoft.com/
stop_capture clients.pcap
