#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_pcap (tests/fuzz/corpus/fuzz_pcap/): small
classic pcap files (microsecond and nanosecond magic, little- and big-endian)
and pcapng files (either byte order, several timestamp resolutions, simple and
obsolete packet blocks, two sections), plus a few the reader must reject
(timestamps going backwards, a record past the snapshot length, caplen > len,
a truncated record, a non-Ethernet link type). Only struct, no scapy.

Usage: python3 tests/fuzz/gen_pcap_seeds.py [OUTDIR]"""
import os
import struct
import sys

NIC = bytes.fromhex("525400123456")
PEER = bytes.fromhex("020000000002")


def frame(n, length=60, ethertype=0x0800):
    """An Ethernet frame of `length` bytes (no FCS) carrying its number."""
    hdr = NIC + PEER + struct.pack(">H", ethertype)
    body = bytes((n + i) & 0xFF for i in range(max(0, length - 14)))
    return (hdr + body)[:length]


# ---- classic pcap ----

def pcap(records, nsec=False, big=False, snaplen=65535, linktype=1):
    """records: (seconds, fraction, data, wire length or None)."""
    e = ">" if big else "<"
    magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
    out = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for sec, frac, data, wire in records:
        out += struct.pack(e + "IIII", sec, frac, len(data), len(data) if wire is None else wire)
        out += data
    return out


# ---- pcapng ----

def opt(code, value, e):
    pad = (4 - len(value) % 4) % 4
    return struct.pack(e + "HH", code, len(value)) + value + b"\0" * pad


def block(btype, body, e):
    total = 12 + len(body)
    return struct.pack(e + "II", btype, total) + body + struct.pack(e + "I", total)


def shb(e, options=b""):
    body = struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1)
    if options:
        body += options + opt(0, b"", e)
    return block(0x0A0D0D0A, body, e)


def idb(e, linktype=1, snaplen=0, tsresol=None, tsoffset=None, name=None):
    body = struct.pack(e + "HHI", linktype, 0, snaplen)
    opts = b""
    if name is not None:
        opts += opt(2, name, e)
    if tsresol is not None:
        opts += opt(9, bytes([tsresol]), e)
    if tsoffset is not None:
        opts += opt(14, struct.pack(e + "q", tsoffset), e)
    if opts:
        body += opts + opt(0, b"", e)
    return block(1, body, e)


def epb(e, ts, data, wire=None, iface=0, comment=None):
    pad = (4 - len(data) % 4) % 4
    body = struct.pack(e + "IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(data),
                       len(data) if wire is None else wire) + data + b"\0" * pad
    if comment is not None:
        body += opt(1, comment, e) + opt(0, b"", e)
    return block(6, body, e)


def spb(e, data, wire=None):
    pad = (4 - len(data) % 4) % 4
    return block(3, struct.pack(e + "I", len(data) if wire is None else wire) + data + b"\0" * pad, e)


def opb(e, ts, data):
    """Obsolete packet block (type 2)."""
    pad = (4 - len(data) % 4) % 4
    body = struct.pack(e + "HHIIII", 0, 0, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data))
    return block(2, body + data + b"\0" * pad, e)


def isb(e, ts):
    """Interface statistics block: skipped by readers."""
    return block(5, struct.pack(e + "III", 0, ts >> 32, ts & 0xFFFFFFFF), e)


def seeds():
    s = {}
    recs = [(1, 0, frame(0), None), (1, 10, frame(1, 64), None), (1, 10, frame(2, 128), None),
            (2, 999999, frame(3, 14), None), (3, 0, frame(4, 60)[:20], 60)]
    s["usec-le.pcap"] = pcap(recs)
    s["usec-be.pcap"] = pcap(recs, big=True)
    nrecs = [(7, 123456789, frame(0), None), (7, 123456790, frame(1, 1514), None),
             (8, 0, frame(2, 10), None), (8, 999999999, frame(3, 60, 0x86DD), None)]
    s["nsec-le.pcap"] = pcap(nrecs, nsec=True)
    s["nsec-be.pcap"] = pcap(nrecs, nsec=True, big=True)
    s["empty-records.pcap"] = pcap([])
    s["jumbo-snap-cut.pcap"] = pcap([(0, 0, frame(0, 9000), None), (0, 1, frame(1, 16390), None)],
                                    snaplen=262144)
    s["after-2038.pcap"] = pcap([(0x80000000, 0, frame(0), None), (0xFFFFFFFF, 999999, frame(1), None)])
    s["long-span.pcap"] = pcap([(0, 0, frame(0), None), (0x7FFFFFFF, 0, frame(1), None)], nsec=True)
    # rejected
    s["bad-backwards.pcap"] = pcap([(5, 0, frame(0), None), (4, 999999, frame(1), None)])
    s["bad-snaplen.pcap"] = pcap([(0, 0, frame(0, 100), None)], snaplen=64)
    s["bad-caplen-gt-len.pcap"] = pcap([(0, 0, frame(0, 100), 60)])
    s["bad-truncated.pcap"] = pcap([(0, 0, frame(0, 100), None)])[:-30]
    s["bad-usec-range.pcap"] = pcap([(0, 1000000, frame(0), None)])
    s["bad-nsec-range.pcap"] = pcap([(0, 1000000000, frame(0), None)], nsec=True)
    s["bad-linktype.pcap"] = pcap([(0, 0, frame(0)[14:], None)], linktype=101)
    s["bad-header-only"] = pcap([])[:20]

    for e, tag in (("<", "le"), (">", "be")):
        s[f"ng-{tag}.pcapng"] = (shb(e) + idb(e) + epb(e, 1_000_000, frame(0)) +
                                 epb(e, 1_000_010, frame(1, 100)) + epb(e, 1_000_010, frame(2, 14)) +
                                 epb(e, 2_000_000, frame(3, 60)[:30], wire=60))
    e = "<"
    s["ng-nsec.pcapng"] = (shb(e, opt(4, b"e1ksim seeds", e)) + idb(e, tsresol=9, name=b"eth0") +
                           epb(e, 1_700_000_000_123_456_789, frame(0), comment=b"first") +
                           isb(e, 1_700_000_000_123_456_790) +
                           epb(e, 1_700_000_000_123_456_790, frame(1, 1514)))
    s["ng-tsresol-bin.pcapng"] = (shb(e) + idb(e, tsresol=0x80 | 10) + epb(e, 1024, frame(0)) +
                                  epb(e, 1536, frame(1)) + epb(e, 4096, frame(2)))
    s["ng-tsresol-ms.pcapng"] = shb(e) + idb(e, tsresol=3) + epb(e, 5, frame(0)) + epb(e, 6, frame(1))
    s["ng-tsoffset.pcapng"] = (shb(e) + idb(e, tsresol=6, tsoffset=1_000_000) +
                               epb(e, 0, frame(0)) + epb(e, 7, frame(1)))
    s["ng-spb.pcapng"] = shb(e) + idb(e, snaplen=128) + spb(e, frame(0)) + spb(e, frame(1, 200)[:128], 200)
    s["ng-obsolete.pcapng"] = shb(e) + idb(e) + opb(e, 100, frame(0)) + epb(e, 200, frame(1))
    s["ng-two-ifaces.pcapng"] = (shb(e) + idb(e) + idb(e, tsresol=9) + epb(e, 10, frame(0)) +
                                 epb(e, 20_000, frame(1), iface=1) + epb(e, 30, frame(2)))
    s["ng-two-sections.pcapng"] = (shb(e) + idb(e) + epb(e, 10, frame(0)) +
                                   shb(e) + idb(e) + epb(e, 20, frame(1)))
    s["ng-empty.pcapng"] = shb(e) + idb(e)
    s["bad-ng-backwards.pcapng"] = shb(e) + idb(e) + epb(e, 20, frame(0)) + epb(e, 10, frame(1))
    s["bad-ng-caplen.pcapng"] = shb(e) + idb(e) + epb(e, 10, frame(0, 100), wire=60)
    s["bad-ng-linktype.pcapng"] = shb(e) + idb(e, linktype=101) + epb(e, 10, frame(0)[14:])
    s["bad-ng-truncated.pcapng"] = (shb(e) + idb(e) + epb(e, 10, frame(0)))[:-9]
    s["bad-ng-no-idb.pcapng"] = shb(e) + epb(e, 10, frame(0))
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_pcap")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
