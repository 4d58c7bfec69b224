/* The device's internal state, shared by the model's source files. */
#ifndef E1K_DEV_H
#define E1K_DEV_H

#include <stdint.h>

#include "e1k/e1k.h"
#include "e1k/e1k_bits.h"
#include "e1k/e1k_regs.h"
#include "eeprom.h"
#include "phy.h"

struct e1k_dev {
    struct e1k_config cfg;
    struct e1k_host host;
    uint16_t eeprom_image[E1K_EEPROM_WORDS];

    uint32_t r[E1K_MMIO_SIZE / 4]; /* the register file, by dword */

    struct e1k_eeprom ee;
    struct e1k_phy phy;

    uint8_t pci[E1K_PCI_CFG_SIZE];
    uint8_t pci_wmask[E1K_PCI_CFG_SIZE];
    uint8_t pci_w1c[E1K_PCI_CFG_SIZE];

    uint32_t ioaddr; /* I/O window: register offset IODATA reaches */
    int irq_level;

    /* Operations in flight (device-internal timing). */
    uint32_t mdic_pending; /* MDIC value being executed */
    int mdic_busy;
    int eerd_busy;
    int in_reset;      /* CTRL.RST / EE_RST auto-load in progress */
    int autoneg_busy;

    uint64_t anom[E1K_ANOM_COUNT];
};

static inline uint32_t rd(const struct e1k_dev *d, uint32_t off) { return d->r[off >> 2]; }
static inline void wr(struct e1k_dev *d, uint32_t off, uint32_t v) { d->r[off >> 2] = v; }

void e1k_anomaly(struct e1k_dev *d, enum e1k_anomaly_kind k, uint32_t off, uint64_t value,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* pci.c */
void e1k_pci_init(struct e1k_dev *d);
uint32_t e1k_pci_bar(const struct e1k_dev *d, unsigned bar);

/* interrupts (dev.c) */
void e1k_set_ics(struct e1k_dev *d, uint32_t causes);
void e1k_update_irq(struct e1k_dev *d);

#endif
