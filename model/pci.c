/* PCI configuration space of the 82540EM (SDM 4.1, table 4-1; PCI Local Bus
 * 2.2). A 32-bit, 66 MHz-capable PCI function: BAR0 memory registers
 * (128 KiB), BAR1 flash (only when the EEPROM says a flash is present),
 * BAR2 I/O registers (8 bytes, SDM 4.1.1), expansion ROM BAR (with flash),
 * and a power-management capability at 0xDC. */
#include <string.h>

#include "dev.h"

#define CFG_BAR0 0x10
#define CFG_BAR1 0x14
#define CFG_BAR2 0x18
#define CFG_ROM 0x30
#define CFG_CAP_PM 0xDC

static void put16(uint8_t *c, unsigned off, uint16_t v)
{
    c[off] = (uint8_t)v;
    c[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *c, unsigned off, uint32_t v)
{
    put16(c, off, (uint16_t)v);
    put16(c, off + 2, (uint16_t)(v >> 16));
}

static uint32_t get32(const uint8_t *c, unsigned off)
{
    return (uint32_t)c[off] | (uint32_t)c[off + 1] << 8 | (uint32_t)c[off + 2] << 16 |
           (uint32_t)c[off + 3] << 24;
}

void e1k_pci_init(struct e1k_dev *d)
{
    uint8_t *c = d->pci;
    memset(c, 0, sizeof(d->pci));
    memset(d->pci_wmask, 0, sizeof(d->pci_wmask));
    memset(d->pci_w1c, 0, sizeof(d->pci_w1c));
    /* IDs: the hardware defaults, replaced by the EEPROM's words when
     * Initialization Control Word 1 (with a valid signature) says so
     * (SDM 5.6.7: Load Vendor/Device IDs, Load Subsystem IDs). */
    const uint16_t *ee = d->ee.w;
    uint16_t icw1 = ee[E1K_EE_INIT1];
    int valid = (icw1 >> 14) == 1;
    uint16_t vid = d->cfg.vendor_id, did = d->cfg.device_id;
    uint16_t svid = d->cfg.subsys_vendor_id, sid = d->cfg.subsys_id;
    if (valid && (icw1 & E1K_EE_INIT1_LOAD_IDS)) {
        vid = ee[E1K_EE_VID];
        did = ee[E1K_EE_DEV_ID];
    }
    if (valid && (icw1 & E1K_EE_INIT1_LOAD_SUBSYS)) {
        svid = ee[E1K_EE_SUBSYS_VID];
        sid = ee[E1K_EE_SUBSYS_ID];
    }
    put16(c, 0x00, vid);
    put16(c, 0x02, did);
    /* Command: I/O, memory, bus master, MWI, parity error response, SERR#. */
    put16(d->pci_wmask, 0x04, 0x0157);
    /* Status: capabilities list, 66 MHz capable, DEVSEL medium; error bits
     * (master/target abort, parity, SERR) are write-1-to-clear. */
    put16(c, 0x06, 0x0230);
    put16(d->pci_w1c, 0x06, 0xF900);
    c[0x08] = d->cfg.revision;
    c[0x09] = 0x00; /* programming interface */
    c[0x0A] = 0x00; /* sub-class: Ethernet */
    c[0x0B] = 0x02; /* class: network controller */
    d->pci_wmask[0x0C] = 0xFF; /* cache line size */
    d->pci_wmask[0x0D] = 0xFF; /* latency timer */
    c[0x0E] = 0x00;             /* header type 0, single function */
    /* BARs: the writable address bits define the size (SDM 4.1.1). */
    put32(d->pci_wmask, CFG_BAR0, ~(E1K_MMIO_SIZE - 1));
    if (d->cfg.flash_size) {
        put32(d->pci_wmask, CFG_BAR1, ~(d->cfg.flash_size - 1));
        put32(d->pci_wmask, CFG_ROM, ~(d->cfg.flash_size - 1) | 1u);
    }
    put32(c, CFG_BAR2, 0x1); /* I/O space indicator */
    put32(d->pci_wmask, CFG_BAR2, ~(E1K_IO_SIZE - 1));
    put16(c, 0x2C, svid);
    put16(c, 0x2E, sid);
    c[0x34] = CFG_CAP_PM;
    d->pci_wmask[0x3C] = 0xFF; /* interrupt line */
    c[0x3D] = 0x01;            /* INTA# */
    c[0x3E] = 0xFF;            /* Min_Gnt */
    c[0x3F] = 0x00;            /* Max_Lat */
    /* Power management capability (SDM 4.1.3, PCI PM 1.1): version 2,
     * DSI set, PME# from D0, D3hot and D3cold; no next capability. */
    c[CFG_CAP_PM] = 0x01;
    c[CFG_CAP_PM + 1] = 0x00;
    put16(c, CFG_CAP_PM + 2, 0xC822);
    /* PMCSR: power state (1:0) and PME_En (8), data select (12:9) writable;
     * PME_Status (15) write-1-to-clear. */
    put16(d->pci_wmask, CFG_CAP_PM + 4, 0x1F03);
    put16(d->pci_w1c, CFG_CAP_PM + 4, 0x8000);
}

static uint32_t cfg_get(const struct e1k_dev *d, uint32_t off, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)d->pci[off + i] << (8 * i);
    return v;
}

uint32_t e1k_pci_read(struct e1k_dev *d, uint32_t off, unsigned size)
{
    if ((size != 1 && size != 2 && size != 4) || off >= E1K_PCI_CFG_SIZE ||
        off + size > E1K_PCI_CFG_SIZE || (off & (size - 1))) {
        e1k_anomaly(d, E1K_ANOM_PCI, off, size, "PCI config read of %u bytes at 0x%02x",
                    size, off);
        return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    }
    return cfg_get(d, off, size);
}

void e1k_pci_write(struct e1k_dev *d, uint32_t off, uint32_t val, unsigned size)
{
    if ((size != 1 && size != 2 && size != 4) || off >= E1K_PCI_CFG_SIZE ||
        off + size > E1K_PCI_CFG_SIZE || (off & (size - 1))) {
        e1k_anomaly(d, E1K_ANOM_PCI, off, val, "PCI config write of %u bytes at 0x%02x",
                    size, off);
        return;
    }
    /* Writing read-only bits is normal here (BAR sizing writes all ones). */
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = (uint8_t)(val >> (8 * i));
        unsigned o = off + i;
        uint8_t wm = d->pci_wmask[o], w1c = d->pci_w1c[o];
        d->pci[o] = (uint8_t)((d->pci[o] & ~wm) | (b & wm));
        d->pci[o] &= (uint8_t)~(b & w1c);
    }
}

uint32_t e1k_pci_bar(const struct e1k_dev *d, unsigned bar)
{
    return bar < 6 ? get32(d->pci, 0x10 + 4 * bar) : 0;
}
