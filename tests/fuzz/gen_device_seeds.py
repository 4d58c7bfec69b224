#!/usr/bin/env python3
"""Write the seed corpus of fuzz_device (tests/fuzz/corpus/fuzz_device/).

Each seed is a byte script in fuzz_device.c's encoding: byte 0 configures the
device, then one opcode byte per operation followed by its operands (see
enum op in fuzz_device.c; keep OPS below in step with it). Run from anywhere:
    python3 tests/fuzz/gen_device_seeds.py
"""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus", "fuzz_device")

OPS = ["MMIO_W", "MMIO_R", "IO_ADDR", "IO_DATA_W", "IO_DATA_R", "IO_RAW", "PCI_R", "PCI_W",
       "MEM_W", "TX_SETUP", "TX_DESC", "TX_DESC_RAW", "TX_KICK", "TSO", "RX_SETUP", "RX_DESC",
       "RX_FRAME", "CABLE", "TIME", "EEPROM", "EERD", "MDIC", "LINK", "INTR", "HOTREG",
       "READ_ALL", "PCI_RESET"]
OP = {n: i for i, n in enumerate(OPS)}

# Register table order (pick_off's selector is the table index).
REGS = []
with open(os.path.join(ROOT, "model", "include", "e1k", "e1k_regs.def")) as f:
    for line in f:
        m = re.match(r"E1K_REG\((\w+),", line)
        if m:
            REGS.append(m.group(1))
RI = {n: i for i, n in enumerate(REGS)}


def u16(v): return struct.pack("<H", v & 0xFFFF)
def u32(v): return struct.pack("<I", v & 0xFFFFFFFF)


class S:
    def __init__(self, cfg):
        self.b = bytearray([cfg])

    def op(self, name, *parts):
        self.b.append(OP[name])
        for p in parts:
            self.b += bytes([p]) if isinstance(p, int) else p
        return self

    def reg(self, name, idx=None):
        out = bytes([RI[name]])
        return out + (u16(idx) if idx is not None else b"")

    def w(self, name, val, idx=None):  # 32-bit MMIO write
        return self.op("MMIO_W", self.reg(name, idx), 0, u32(val))

    def r(self, name, idx=None, width=0):
        return self.op("MMIO_R", self.reg(name, idx), width)

    def time(self, ns):  # smallest encodable delay >= ns
        for b in range(256):
            if (1 + (b & 7)) << (b >> 3) >= ns:
                return self.op("TIME", b)
        return self.op("TIME", 255)

    def save(self, name):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(self.b)


FUNC, CABLE_OFF, FLASH, EEIMG, TWICE = 0x01, 0x02, 0x20, 0x40, 0x80


def tso(cfg, name, mode=0, mss=1448, paylen=8000, nsplit=3, time_ns=0):
    s = S(cfg)
    s.op("LINK", 0x01)
    if time_ns:
        s.time(time_ns)
    s.op("TX_SETUP", 0, 3, 0x20 | 0x40 | 0x08 | 0x10)
    s.op("TSO", mode, u16(mss), u16(paylen), nsplit - 1, 0, 0)
    s.time(200_000)
    s.op("TSO", mode | 0x20, u16(536), u16(3000), 1, 0, 0)
    s.time(1_000_000)
    s.op("INTR", 3 | 0x80, u32(0))
    s.r("TDH").r("GPTC").r("TSCTC").r("TOTH")
    s.save(name)


def main():
    os.makedirs(OUT, exist_ok=True)
    tso(FUNC, "tso-tcp-functional")
    tso(0, "tso-tcp-default-timing", time_ns=2_100_000_000)
    tso(FUNC | TWICE, "tso-udp-twice", mode=1, mss=1000, paylen=4000, nsplit=2)
    tso(FUNC, "tso-vlan-nofcs-perturbed", mode=0x08 | 0x40 | 0x04, nsplit=4)
    tso(FUNC, "tso-mss0", mss=0, paylen=100)
    tso(FUNC, "csum-offload-only", mode=0x02, paylen=1400, nsplit=2)

    # Legacy and extended descriptors by hand.
    s = S(FUNC).op("LINK", 0x01).op("TX_SETUP", 1, 0, 0x20 | 0x40)
    s.op("TX_DESC", 0x80 | 0, u16(60), 0x08 | 0x02, 0, 0, u16(0))          # legacy, RS IFCS EOP
    s.op("TX_DESC", 0x00 | 0x20, u16(100), 0x0B, 0, 0, u16(0))             # legacy, no EOP
    s.op("TX_DESC", 0x80 | 0, u16(1514), 0x0F | 0x40, 50, 34, u16(0x0123))  # IC VLE, CSO/CSS
    s.op("TX_DESC", 1, bytes([14, 24]) + u16(33) + bytes([34, 50]) + u16(0) +
         u32(0) + bytes([0x00, 54]) + u16(0))                              # context: IP+TCP csum
    s.op("TX_DESC", 0x80 | 2, u16(600), 0x0B, 0x03, u16(0))               # data, IXSM TXSM
    s.op("TX_DESC", 0x80 | 0x40 | 0, u16(64), 0x0B, 0, 0, u16(0))          # buffer in the hole
    s.time(100_000).op("TX_KICK", 1, 200).time(100_000)
    s.r("TDH").r("TDT").r("ICR").save("tx-descriptors")

    # Receive: a ring, frames of every kind, then the counters.
    s = S(FUNC).op("LINK", 0x01)
    s.op("RX_SETUP", 0, 1, 0x20 | 0x40 | 0x04, 0x10 | 0x08)  # BAM, LPE
    s.op("RX_FRAME", 2 * 14, 0, 0, 0)    # 1514 to us, TCP, good FCS
    s.op("RX_FRAME", 2 * 9, 1, 1, 0)     # 64 broadcast UDP
    s.op("RX_FRAME", 2 * 15, 0, 2, 0)    # 1518 VLAN tagged
    s.op("RX_FRAME", 2 * 9, 0, 0, 1)     # CRC error
    s.op("RX_FRAME", 2 * 6, 0, 0, 0)     # runt (59)
    s.op("RX_FRAME", 2 * 22, 0, 0, 0)    # 9018: jumbo with LPE
    s.op("RX_FRAME", 2 * 2, 0, 4, 0)     # 4 bytes
    s.op("RX_FRAME", 2 * 23, 0, 0, 0x40, u16(20), 0x99, u16(700), 0x11)  # 16384, pokes
    s.time(100_000)
    s.op("RX_DESC", 0).op("RX_DESC", 1, 8).op("RX_DESC", 2 | 4, 0x03)
    s.op("RX_FRAME", 2 * 14, 2, 0, 0)    # multicast
    s.time(100_000).r("ICR").r("RDH").r("GPRC").r("GORCH").r("CRCERRS").r("RUC")
    s.save("rx-frames")

    # Receive with no free descriptor, flow control thresholds, PAUSE.
    s = S(FUNC).op("LINK", 0x01 | 0x20)
    s.w("PBA", 0x0002).w("FCRTH", 0x600).w("FCRTL", 0x200 | 0x80000000).w("FCTTV", 0x100)
    s.w("FCAL", 0x00C28001).w("FCAH", 0x0100).w("FCT", 0x8808)
    s.op("RX_SETUP", 0, 0, 0x02 | 0x20, 0x0C)                # RDT = RDH: no buffers
    for _ in range(4):
        s.op("RX_FRAME", 2 * 14, 0, 0, 0)
    s.op("RX_FRAME", 2 * 9, 3, 3, 0, 0x01, 0x00)             # XOFF 256 quanta
    s.op("RX_DESC", 0).op("RX_DESC", 0).time(50_000)
    s.op("RX_FRAME", 2 * 9, 3, 3, 0, 0x00, 0x00)             # XON
    s.r("XOFFRXC").r("XONRXC").r("XOFFTXC").r("MPC").r("RNBC").r("STATUS")
    s.save("rx-flow-control")

    # MAC loopback: transmit straight into the receiver.
    s = S(FUNC).op("LINK", 0x01)
    s.op("RX_SETUP", 1, 1, 0x80 | 0x20, 0x5F)
    s.op("TX_SETUP", 0, 0, 0x20)
    s.op("TX_DESC", 0x80, u16(200), 0x0B, 0, 0, u16(0))
    s.op("TSO", 0, u16(500), u16(2000), 1, 0, 0)
    s.time(100_000).r("GPRC").r("GPTC").save("loopback")

    # EEPROM: Microwire bit-banging and EERD.
    s = S(FUNC)
    s.op("EEPROM", 0, 0x00).op("EEPROM", 0, 0x3F).op("EEPROM", 0x20, 0x0A)  # reads
    s.op("EEPROM", 1, 0x05, u16(0xBEEF)).op("EEPROM", 0, 0x05)              # EWEN, WRITE
    s.op("EEPROM", 2, 0, 12, u32(0x180 << 3), 16)                            # raw
    s.op("EEPROM", 3 | (0 << 2), 0x06).op("EEPROM", 3 | (3 << 2), 0)        # ERASE, EWDS
    s.op("EEPROM", 0x10, 0x01)                                              # without EE_REQ
    s.op("EEPROM", 0x80 | 0x40, 0x02).op("EERD", 0x02, 0x02)                # grant held
    s.op("EERD", 0x3F, 0).op("EERD", 0x80, 1)
    s.w("CTRL_EXT", 1 << 13).r("EECD")
    s.save("eeprom")
    s.b[0] = 0  # default timing: EERD takes 26 us
    s.save("eeprom-default-timing")

    # MDIC: every PHY register, writes that restart/reset, wrong address.
    s = S(0)
    for reg in (0, 1, 2, 3, 4, 5, 6, 9, 10, 15, 16, 17, 19, 20, 21, 26, 29, 30):
        s.op("MDIC", 0x00, reg, u16(0))
    s.op("MDIC", 0x01, 4, u16(0x0DE1)).op("MDIC", 0x01, 9, u16(0x0300))
    s.op("MDIC", 0x01, 0, u16(0x1340))                     # ANE | RESTART_AN
    s.op("MDIC", 0x04 | 0x08, 1, u16(0))                    # INT_EN, read before READY
    s.op("MDIC", 0x80, (2 << 5) | 2, u16(0))                # PHY address 2
    s.op("MDIC", 0x40 | 3, 0, u16(0))                       # reserved opcode
    s.op("MDIC", 0x01 | 0x10, 0, u16(0x8000))               # PHY reset, no wait
    s.op("MDIC", 0x01, 0, u16(0x4140))                      # loopback 1000
    s.w("IMS", 0x204).time(2_100_000_000).r("STATUS").r("ICR")
    s.op("MDIC", 0x01, 29, u16(0x1F)).op("MDIC", 0x00, 30, u16(0))
    s.save("mdic")

    # PCI configuration space, BAR sizing, the I/O window, resets.
    s = S(FUNC | FLASH)
    for off in range(0, 0x40, 4):
        s.op("PCI_R", off, 0)
    for bar in (0x10, 0x14, 0x18, 0x30):
        s.op("PCI_W", bar, 0, u32(0xFFFFFFFF)).op("PCI_R", bar, 0).op("PCI_W", bar, 0, u32(0))
    s.op("PCI_W", 0x04, 0, u32(0x0107)).op("PCI_W", 0x06, 0xC0, u32(0xFFFF))
    s.op("PCI_W", 0xDC, 0, u32(0x8003)).op("PCI_R", 0xDC, 0xE0).op("PCI_W", 0xFF, 0, u32(0x100), u32(1))
    s.op("IO_ADDR", s.reg("STATUS")).op("IO_DATA_R")
    s.op("IO_ADDR", s.reg("CTRL")).op("IO_DATA_W", u32(0x04000000))           # CTRL.RST
    s.op("IO_RAW", 0x02, 0xC0).op("IO_RAW", 0x80 | 0x06, 0xE0, u32(7)).op("IO_RAW", 0x10, 0, u32(0x1000))
    s.op("IO_ADDR", 0xF0, u32(0x30000)).op("IO_DATA_R")
    s.op("PCI_RESET").op("READ_ALL")
    s.save("pci-io")

    # Interrupts: mask, cause set, throttling and delay timers.
    s = S(0)
    s.op("INTR", 0, u32(0x1FFFF)).op("INTR", 4, u32(100)).op("INTR", 2, u32(0x04))
    s.time(30_000).op("INTR", 3 | 0x80, u32(0)).op("INTR", 2, u32(0x80)).op("INTR", 5, u32(0x80000010))
    s.op("INTR", 6, u32(20)).op("INTR", 7, u32(10)).op("INTR", 8, u32(30))
    s.op("TX_SETUP", 0, 0, 0x20 | 0x08 | 0x10).op("TX_DESC", 0x80, u16(60), 0x89, 0, 0, u16(0))
    s.time(2_100_000_000).op("INTR", 1, u32(0xFFFFFFFF)).op("INTR", 3 | 0x80, u32(0))
    s.save("interrupts")

    # Register soup: odd widths and offsets, unknown registers, arrays.
    s = S(FUNC)
    s.op("MMIO_W", s.reg("RAL", 3), 0, u32(0x12345678)).op("MMIO_W", s.reg("RAH", 3), 0xC2, u32(0x8000))
    s.op("MMIO_R", s.reg("MTA", 127), 0xE3).op("MMIO_W", s.reg("VFTA", 5), 0xF1, u32(1))
    s.op("MMIO_W", 0xF0, u32(0x1FFFE), 0, u32(5)).op("MMIO_R", 0xF0, u32(0x20000), 0)
    s.op("MMIO_W", s.reg("PBM", 1000), 0xE1, u32(0xAA)).op("MMIO_R", s.reg("PBM", 1000), 0xC2)
    s.op("HOTREG", 0, u32(0x00000241)).op("HOTREG", 2, u32(0x0400801E)).op("HOTREG", 24, u32(0))
    s.op("MMIO_R", s.reg("ICR"), 0xF7).op("MMIO_W", s.reg("CTRL"), 0xF3, u32(0x40))
    s.op("MEM_W", 0x80, u16(0x100), 8, bytes(range(8))).op("MEM_W", 0xC0, u32(0xFFFFC), 8, bytes(8))
    s.op("READ_ALL").save("registers")

    # The cable goes away during a transfer and comes back.
    s = S(FUNC).op("LINK", 0x01).op("TX_SETUP", 0, 1, 0x20).op("RX_SETUP", 0, 0, 0x20, 0x10)
    s.op("TSO", 0, u16(1448), u16(20000), 2, 0, 0).op("CABLE", 0)
    s.op("RX_FRAME", 2 * 9, 1, 1, 0).op("TX_KICK", 0).time(1000).op("CABLE", 1)
    s.time(600_000_000).op("TSO", 1, u16(1000), u16(3000), 0, 0, 0).time(1_000_000)
    s.op("LINK", 0xFE).op("LINK", 0x01).op("LINK", 0xFF).r("STATUS").r("TDH")
    s.save("cable-and-resets")

    # A modified EEPROM image (ICW1, ICW2, LED, checksum broken).
    s = S(FUNC | EEIMG)
    s.b += bytes([3, 0x0A]) + u16(0x0000) + bytes([0x0F]) + u16(0xFFFF) + bytes([0x3F]) + u16(0)
    s.r("CTRL").r("CTRL_EXT").r("LEDCTL").op("EERD", 0x3F, 0).save("eeprom-image")

    # Ring programming gone wrong: unaligned base, odd TDLEN, huge TDBAH.
    s = S(FUNC).op("LINK", 0x01)
    s.op("TX_SETUP", 0xF0, 0, 0x01 | 0x02 | 0x20, u32(0x0FFC), u32(0x81), u32(0x1))
    s.op("TX_DESC", 0x80, u16(60), 0x0B, 0, 0, u16(0)).op("TX_KICK", 1, 0xFF)
    s.op("TX_SETUP", 3, 255, 0x20).op("TX_DESC", 0x80 | 3, bytes(range(16)))
    s.op("RX_SETUP", 0xF1, 0, 0x01 | 0x20, 0xC0, u32(0xFFFC0), u32(0x1000))
    s.op("RX_FRAME", 2 * 14, 0, 0, 0).op("TX_DESC_RAW", 0, bytes([0xFF] * 16)).time(100_000)
    s.save("bad-rings")


if __name__ == "__main__":
    main()
