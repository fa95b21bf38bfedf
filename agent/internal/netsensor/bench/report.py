#!/usr/bin/env python3
"""Prints the bench-net results: medians, ratios, peak RSS and the names
each tool found (see bench-net.sh)."""
import json
import re
import statistics
import sys

work = sys.argv[1]
times, cpu, rss = {}, {}, {}
for line in open(f"{work}/results"):
    tool, secs, kb, cpus = line.split()
    times.setdefault(tool, []).append(float(secs))
    cpu.setdefault(tool, []).append(float(cpus))
    rss[tool] = max(rss.get(tool, 0), int(kb))

med = {t: statistics.median(v) for t, v in times.items()}
cmed = {t: statistics.median(v) for t, v in cpu.items()}
print(f"{'tool':<12} {'median wall s':>14} {'median CPU s':>13} {'peak RSS MiB':>13}   wall s of each run")
for t in ("scan", "ndpiReader", "tshark"):
    runs = " ".join(f"{x:.2f}" for x in times[t])
    print(f"{t:<12} {med[t]:>14.3f} {cmed[t]:>13.3f} {rss[t] / 1024:>13.1f}   {runs}")
for peer, goal in (("ndpiReader", 5), ("tshark", 30)):
    print(f"scan is {med[peer] / med['scan']:.1f}x faster than {peer} in wall time, "
          f"{cmed[peer] / cmed['scan']:.1f}x in CPU time (goal {goal}x)")

scan = {"dns": set(), "tls": set(), "quic": set()}
for line in open(f"{work}/scan.jsonl"):
    o = json.loads(line)
    src = o["source"]
    if src == "encrypted_dns":
        src = o.get("attrs", {}).get("via", "dns")
    if src in scan:
        scan[src].add(o["domain"])

tshark = {"dns": set(), "tls": set(), "quic": set()}
for line in open(f"{work}/tshark.txt"):
    f = line.rstrip("\n").split("\t")
    ports, qname, sni = (f + ["", "", ""])[:3]
    if qname:
        tshark["dns"].add(qname.lower())
    if sni:
        tshark["quic" if ports else "tls"].add(sni.lower())

ndpi = {"tls": set(), "quic": set()}
for line in open(f"{work}/ndpi.txt"):
    m = re.search(r"\[proto: [\d.]+/(TLS|QUIC)[^\]]*\].*?\[Hostname/SNI: ([^\]]+)\]", line)
    if m:
        ndpi[m.group(1).lower()].add(m.group(2).lower())

for ch in ("dns", "tls", "quic"):
    missed = tshark[ch] - scan[ch]
    print(f"{ch}: scan {len(scan[ch])} names, tshark {len(tshark[ch])}, scan misses {len(missed)} of tshark's"
          + (f" {sorted(missed)[:5]}" if missed else ""))
for ch in ("tls", "quic"):
    print(f"{ch}: ndpiReader {len(ndpi[ch])} names; scan finds {len(scan[ch] - ndpi[ch])} that ndpiReader misses, "
          f"misses {len(ndpi[ch] - scan[ch])} that it finds")
