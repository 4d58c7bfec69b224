#!/usr/bin/env python3
"""Writes the small pcaps the scenario tests replay (tests/data/*.pcap).

The bytes are written by hand with struct (no scapy): a pcap global header
and records, nanosecond or microsecond precision. Run it from anywhere; it
writes next to itself, or into the directory given as its argument. The
output is deterministic, so re-running it leaves the committed files
unchanged (tests/scenario/pcap_replay.sh checks that).

  replay-ns.pcap   20 UDP/IPv4 frames to the default device MAC
                   52:54:00:12:34:56, nanosecond timestamps with irregular
                   gaps (some shorter than a frame's wire time, one zero),
                   lengths 60..1514.
  replay-us.pcap   the same frames with microsecond timestamps.
  raw-ip.pcap      one record with link type 101 (raw IP): not Ethernet.
  backwards.pcap   three records, the third 1 ns before the second.
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

NIC_MAC = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])
PEER_MAC = bytes([0x02, 0x00, 0x00, 0x00, 0x00, 0x02])

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D

# Gaps between consecutive frames in nanoseconds: irregular, some below the
# wire time of the frame before (60 B + FCS + preamble + IFG = 672 ns at
# 1 Gb/s), one zero.
GAPS_NS = [0, 1000001, 3, 123457, 999, 0, 5000000, 672, 671, 250000,
           1, 7777777, 40000, 12345, 2000000, 100, 333333, 999999, 1500000, 17]
LENGTHS = [60, 61, 64, 100, 128, 256, 512, 590, 1000, 1514,
           60, 60, 1514, 77, 300, 60, 1400, 200, 60, 1024]
START_S = 1700000000
START_NS = 123456789


def ip_checksum(hdr):
    s = 0
    for i in range(0, len(hdr), 2):
        s += (hdr[i] << 8) | hdr[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(k, length):
    """Ethernet + IPv4 + UDP, `length` bytes without FCS, payload = k."""
    tot = length - 14
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, k, 0, 64, 17, 0,
                               bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1])))
    struct.pack_into("!H", ip, 10, ip_checksum(ip))
    ulen = tot - 20
    udp = struct.pack("!HHHH", 5001, 5000, ulen, 0)
    payload = bytes((k * 37 + i * 11) & 0xFF for i in range(ulen - 8))
    return NIC_MAC + PEER_MAC + b"\x08\x00" + bytes(ip) + udp + payload


def timestamps_ns():
    t = START_S * 10**9 + START_NS
    out = []
    for g in GAPS_NS:
        t += g
        out.append(t)
    return out


def pcap(magic, linktype, records, snaplen=65535):
    out = bytearray(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
    for sec, frac, data in records:
        out += struct.pack("<IIII", sec, frac, len(data), len(data)) + data
    return bytes(out)


def write(name, data):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(data)


def main():
    ts = timestamps_ns()
    frames = [frame(k, n) for k, n in enumerate(LENGTHS)]
    write("replay-ns.pcap",
          pcap(MAGIC_NS, 1, [(t // 10**9, t % 10**9, f) for t, f in zip(ts, frames)]))
    write("replay-us.pcap",
          pcap(MAGIC_US, 1, [(t // 10**9, (t % 10**9) // 1000, f) for t, f in zip(ts, frames)]))
    write("raw-ip.pcap", pcap(MAGIC_NS, 101, [(START_S, 0, frames[0][14:])]))
    write("backwards.pcap",
          pcap(MAGIC_NS, 1, [(START_S, 500, frames[0]), (START_S, 600, frames[1]),
                             (START_S, 599, frames[2])]))


if __name__ == "__main__":
    main()
