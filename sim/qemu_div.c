#include "qemu_div.h"

#include <stddef.h>

#include "e1k/e1k_bits.h"
#include "e1k/e1k_regs.h"

static int slu_clear(const struct qemu_div_ctx *c)
{
    return !(e1k_reg_peek(c->dev, E1K_REG_CTRL) & E1K_CTRL_SLU);
}

/* The read sampled EECD between words of a sequential read (SK low). */
static int eecd_sk_low(const struct qemu_div_ctx *c)
{
    return (c->expected & E1K_EECD_CS) && !(c->expected & E1K_EECD_SK);
}

#define ALL 0xFFFFFFFFu
#define BAR_LAYOUT                                                                                 \
    "QEMU maps a 64-byte I/O BAR at BAR1; on the 82540EM BAR1 is the flash BAR (absent "         \
    "without a flash) and the I/O BAR is BAR2 with 8 bytes"
#define MDIC_DATA 0x0000FFFFu

/* Keep in step with docs/qemu-divergences.md. */
static const struct qemu_div table[] = {
    /* ---- device registers ---- */
    { "status-lu-slu", TS_MEM, E1K_REG_STATUS, E1K_STATUS_LU, -1, slu_clear,
      "QEMU reports STATUS.LU while CTRL.SLU is clear; the MAC sees the PHY's link only "
      "once software sets SLU",
      "8.6.2.1" },
    { "status-asdv-reserved", TS_MEM, E1K_REG_STATUS, 0x80080700u, -1, NULL,
      "QEMU's STATUS has ASDV=11b and reserved bits 10, 19 and 31 set from reset; ASDV is "
      "valid only after CTRL_EXT.ASDCHK and the reserved bits read 0",
      "13.4.2, 8.6.2.2.2" },
    { "ctrl-reset", TS_MEM, E1K_REG_CTRL,
      E1K_CTRL_FD | E1K_CTRL_SLU | E1K_CTRL_SDP0_DATA | E1K_CTRL_ADVD3WUC, -1, NULL,
      "QEMU's CTRL resets to 0x00140240 (SLU, SDP0_DATA and ADVD3WUC set, FD clear); the "
      "82540EM's has SLU clear and takes FD from EEPROM word 0Ah",
      "13.4.1, 5.6.7" },
    { "eecd-gnt", TS_MEM, E1K_REG_EECD, E1K_EECD_GNT, -1, NULL,
      "QEMU always reports EECD.EE_GNT; the device grants the EEPROM only while software "
      "holds EE_REQ",
      "13.4.3, 5.3.1" },
    { "eecd-fwe", TS_MEM, E1K_REG_EECD, E1K_EECD_FWE_MASK, -1, NULL,
      "QEMU's EECD.FWE reads 00b; its initial value is 01b (flash writes disabled)", "13.4.3" },
    { "eecd-do-edge", TS_MEM, E1K_REG_EECD, E1K_EECD_DO, -1, eecd_sk_low,
      "after the last bit of a word QEMU presents the next word's first bit on the falling SK "
      "edge; the 93C46 changes DO only after a rising edge",
      "5.3 (Microwire timing)" },
    { "ledctl-reset", TS_MEM, E1K_REG_LEDCTL, ALL, -1, NULL,
      "QEMU resets LEDCTL to 0x00000602; the 82540EM's LED1 defaults to ACTIVITY (blinking) "
      "and LED3 to LINK_1000",
      "13.4.15" },
    { "manc-reset", TS_MEM, E1K_REG_MANC, ALL, -1, NULL,
      "QEMU's MANC reads 0x00222300 (management enables set); its initial value is 0 on an "
      "82540EM with manageability off in the EEPROM",
      "13.6.x (MANC)" },
    { "txdctl-ignored", TS_MEM, E1K_REG_TXDCTL, ALL, -1, NULL,
      "QEMU ignores writes to TXDCTL; its thresholds and GRAN are read/write", "13.4.43" },
    { "rxdctl-ignored", TS_MEM, E1K_REG_RXDCTL, ALL, -1, NULL,
      "QEMU ignores writes to RXDCTL; its thresholds and GRAN are read/write", "13.4.46" },
    { "phy-anar-default", TS_MEM, E1K_REG_MDIC, 0x0C00, 4, NULL,
      "QEMU's PHY advertises PAUSE and ASM_DIR from reset (0x0DE1); the 88E1011's "
      "advertisement register resets to 0x01E1",
      "13.5 PHY registers (PANA)" },
    { "phy-partner", TS_MEM, E1K_REG_MDIC, MDIC_DATA, 5, NULL,
      "QEMU's link partner ability is a fixed 0x41E0 (selector 0, no 1000BASE-T next page); "
      "ours is a 1000BASE-T full-duplex partner as auto-negotiation would report it",
      "13.5 PHY registers (PLPA), IEEE 802.3 28.2.1.2" },
    { "phy-partner-1000t", TS_MEM, E1K_REG_MDIC, MDIC_DATA, 10, NULL,
      "QEMU's 1000BASE-T status claims a half-duplex-capable partner and no master/slave "
      "resolution; ours reports the resolved master/slave state of a full-duplex partner",
      "13.5 PHY registers (GSTATUS), IEEE 802.3 40.5" },
    /* ---- PCI configuration space ---- */
    { "pci-status-caps", TS_CFG, 0x04, 0x06300000u, -1, NULL,
      "QEMU's e1000 has no capability list, is not 66 MHz capable and has fast DEVSEL; the "
      "82540EM has the PM capability, 66 MHz support and medium DEVSEL",
      "4.1 (Status register)" },
    { "pci-intx-disable", TS_CFG, 0x04, 0x00000400u, -1, NULL,
      "QEMU implements the PCI 2.3 Interrupt Disable bit; the 82540EM is a PCI 2.2 device "
      "where command bit 10 is reserved",
      "4.1 (Command register)" },
    { "pci-latency-timer", TS_CFG, 0x0C, 0x0000FF00u, -1, NULL,
      "QEMU's Latency Timer is read-only 0; the 82540EM's is read/write", "4.1" },
    { "pci-bar-layout", TS_CFG, 0x14, ALL, -1, NULL, BAR_LAYOUT, "4.1.1" },
    { "pci-bar-layout", TS_CFG, 0x18, ALL, -1, NULL, BAR_LAYOUT, "4.1.1" },
    { "pci-subsystem", TS_CFG, 0x2C, ALL, -1, NULL,
      "QEMU reports subsystem 1AF4:1100 whatever its EEPROM says; the 82540EM loads the "
      "subsystem IDs from EEPROM words 0Bh/0Ch (ICW1 bit 1)",
      "5.6.7, 4.1" },
    { "pci-cap-pointer", TS_CFG, 0x34, 0x000000FFu, -1, NULL,
      "QEMU's capabilities pointer is 0; the 82540EM's points at the PM capability (DCh)",
      "4.1" },
    { "pci-min-gnt", TS_CFG, 0x3C, 0xFFFF0000u, -1, NULL,
      "QEMU's Min_Gnt/Max_Lat read 0; the 82540EM's Min_Gnt is FFh", "4.1" },
    { NULL, TS_MEM, 0, 0, -1, NULL, NULL, NULL },
};

const struct qemu_div *qemu_div_table(unsigned *n)
{
    *n = (unsigned)(sizeof(table) / sizeof(table[0])) - 1;
    return table;
}

const struct qemu_div *qemu_div_match(const struct qemu_div_ctx *c)
{
    uint32_t diff = (c->expected ^ c->got) & c->mask;
    uint32_t covered = 0;
    const struct qemu_div *first = NULL;
    unsigned shift = (c->offset & 3) * 8;
    for (const struct qemu_div *d = table; d->id; d++) {
        if (d->space != c->space || d->offset != (c->offset & ~3u))
            continue;
        if (d->mdic_reg >= 0 &&
            (int)((c->expected & E1K_MDIC_REG_MASK) >> E1K_MDIC_REG_SHIFT) != d->mdic_reg)
            continue;
        if (d->applies && !d->applies(c))
            continue;
        uint32_t bits = d->bits >> shift;
        if (!(bits & diff))
            continue;
        covered |= bits;
        if (!first)
            first = d;
    }
    return first && (diff & ~covered) == 0 ? first : NULL;
}

int qemu_div_needs_memory(enum trace_space sp, uint32_t offset, uint32_t expected, uint32_t got,
                          uint32_t mask)
{
    if (sp != TS_MEM)
        return 0;
    uint32_t diff = (expected ^ got) & mask;
    uint32_t reg = offset & ~3u;
    if (reg >= E1K_REG_CRCERRS && reg <= E1K_REG_TSCTFC)
        return 1;
    if (reg == E1K_REG_TDH || reg == E1K_REG_RDH)
        return 1;
    if (reg == E1K_REG_ICR) {
        uint32_t dma = E1K_ICR_TXDW | E1K_ICR_TXQE | E1K_ICR_RXDMT0 | E1K_ICR_RXO |
                       E1K_ICR_RXT0 | E1K_ICR_TXD_LOW | E1K_ICR_SRPD;
        return (diff & ~(dma >> ((offset & 3) * 8))) == 0;
    }
    return 0;
}
