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
. "$here/sinks.sh"
start_capture 'port 53 or port 443'
for name in chatgpt.com api.anthropic.com www.example.org; do
  dig +tries=1 +time=1 @127.0.0.1 "$name" A >/dev/null 2>&1 || true
done
dig +tcp +tries=1 +time=1 @127.0.0.1 Claude.AI A >/dev/null 2>&1 || true
for host in chatgpt.com api.openai.com gemini.google.com www.example.org; do
  curl -sk --max-time 3 --resolve "$host:443:127.0.0.1" "https://$host/" >/dev/null || true
done
stop_capture basic.pcap
