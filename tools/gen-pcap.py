#!/usr/bin/env python3
"""Write a deterministic pcap (nanosecond timestamps) of Ethernet/IPv4/UDP
frames: the shipped traces/pcap/*.pcap are made with it.

usage: tools/gen-pcap.py OUT.pcap [--frames N] [--len BYTES] [--pps RATE]
                          [--dst MAC] [--src MAC] [--start-ns NS]
"""
import argparse
import struct


def mac(s):
    b = bytes(int(x, 16) for x in s.split(":"))
    if len(b) != 6:
        raise argparse.ArgumentTypeError("MAC like 52:54:00:12:34:56")
    return b


def csum(b):
    s = 0
    for i in range(0, len(b), 2):
        s += (b[i] << 8) | (b[i + 1] if i + 1 < len(b) else 0)
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(k, length, dst, src):
    tot = length - 14
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, k & 0xFFFF, 0, 64, 17, 0,
                               bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1])))
    ip[10:12] = struct.pack("!H", csum(ip))
    udp_len = tot - 20
    payload = struct.pack("!Q", k) + bytes(max(0, udp_len - 8 - 8))
    udp = struct.pack("!HHHH", 5000, 5001, udp_len, 0) + payload[: udp_len - 8]
    return dst + src + b"\x08\x00" + bytes(ip) + udp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--frames", type=int, default=1000)
    ap.add_argument("--len", type=int, default=60)
    ap.add_argument("--pps", type=int, default=10000)
    ap.add_argument("--dst", type=mac, default=mac("52:54:00:12:34:56"))
    ap.add_argument("--src", type=mac, default=mac("02:00:00:00:00:02"))
    ap.add_argument("--start-ns", type=int, default=1_700_000_000_000_000_000)
    a = ap.parse_args()
    if a.len < 42:
        ap.error("--len must be at least 42 (Ethernet + IPv4 + UDP headers)")
    with open(a.out, "wb") as f:
        # pcap header, nanosecond magic, version 2.4, snaplen 65535, Ethernet
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for k in range(a.frames):
            t = a.start_ns + k * 1_000_000_000 // a.pps
            fr = frame(k, a.len, a.dst, a.src)
            f.write(struct.pack("<IIII", t // 1_000_000_000, t % 1_000_000_000, len(fr), len(fr)))
            f.write(fr)


if __name__ == "__main__":
    main()
