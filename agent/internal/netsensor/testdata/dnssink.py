#!/usr/bin/env python3
"""A DNS sink for capture generators: answers every A query with 127.0.0.1
(and AAAA with ::1) over UDP and TCP on 127.0.0.1:53 and [::1]:53, so real
clients (dig, browsers) complete their lookups inside a private network
namespace."""
import socket
import struct
import threading
import time


def answer(query: bytes) -> bytes:
    if len(query) < 12:
        return b""
    qid, flags, qd = struct.unpack("!HHH", query[:6])
    end = 12
    while end < len(query) and query[end] != 0:
        end += query[end] + 1
    question = query[12:end + 5]
    header = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
    qtype = struct.unpack("!H", question[-4:-2])[0] if len(question) >= 5 else 1
    if qtype == 28:
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 28, 1, 60, 16) + socket.inet_pton(socket.AF_INET6, "::1")
    else:
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
    return header + question + rr


def udp(family=socket.AF_INET, addr="127.0.0.1"):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        q, addr = s.recvfrom(4096)
        s.sendto(answer(q), addr)


def tcp_conn(c):
    with c:
        while True:
            n = c.recv(2)
            if len(n) < 2:
                return
            q = c.recv(struct.unpack("!H", n)[0])
            a = answer(q)
            c.sendall(struct.pack("!H", len(a)) + a)


def tcp(family=socket.AF_INET, addr="127.0.0.1"):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 53))
    s.listen()
    while True:
        c, _ = s.accept()
        threading.Thread(target=tcp_conn, args=(c,), daemon=True).start()


def wait_for_ipv6_loopback():
    # ::1 appears a moment after `ip link set lo up` in a new namespace.
    for _ in range(100):
        try:
            socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))
            return
        except OSError:
            time.sleep(0.05)


wait_for_ipv6_loopback()
threading.Thread(target=udp, daemon=True).start()
threading.Thread(target=udp, args=(socket.AF_INET6, "::1"), daemon=True).start()
threading.Thread(target=tcp, args=(socket.AF_INET6, "::1"), daemon=True).start()
tcp()
