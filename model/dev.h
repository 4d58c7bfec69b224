/* The device's internal state, shared by the model's source files. */
#ifndef E1K_DEV_H
#define E1K_DEV_H

#include <stdint.h>

#include "e1k/e1k.h"
#include "e1k/e1k_bits.h"
#include "e1k/e1k_regs.h"
#include "eeprom.h"
#include "intr.h"
#include "phy.h"
#include "rx.h"
#include "tx.h"

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
    int phy_in_reset;  /* CTRL.PHY_RST held: the PHY neither links nor answers MDIO */

    struct e1k_intr intr;
    struct e1k_tx tx;
    struct e1k_rx rx;
    /* Flow control (SDM 3.7, 8.x): transmitter paused by a received XOFF
     * until this time; XOFF sent and not yet followed by XON. */
    uint64_t fc_paused_until;
    int fc_xoff_sent;
    int fc_overflow_xoff; /* the extra XOFF of this overflow episode was sent */
    int fc_sending;       /* a PAUSE is being sent (no recursion via loopback) */
    /* DMA time spent by the engine step in progress (timing model). */
    uint64_t dma_acc_ps;

    uint64_t anom[E1K_ANOM_COUNT];
};

static inline uint32_t rd(const struct e1k_dev *d, uint32_t off) { return d->r[off >> 2]; }
static inline void wr(struct e1k_dev *d, uint32_t off, uint32_t v) { d->r[off >> 2] = v; }

void e1k_anomaly(struct e1k_dev *d, enum e1k_anomaly_kind k, uint32_t off, uint64_t value,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* pci.c */
void e1k_pci_init(struct e1k_dev *d);
uint32_t e1k_pci_bar(const struct e1k_dev *d, unsigned bar);

/* interrupts (intr.c) */
void e1k_set_ics(struct e1k_dev *d, uint32_t causes);
void e1k_update_irq(struct e1k_dev *d);

/* dev.c services for the engines */
uint64_t e1k_now(const struct e1k_dev *d);
void e1k_timer_arm_in(struct e1k_dev *d, unsigned id, uint64_t delay_ps);
void e1k_timer_cancel(struct e1k_dev *d, unsigned id);
/* DMA through the host; on refusal records an E1K_ANOM_DMA anomaly naming
 * `what` and returns -1. */
int e1k_dma_read(struct e1k_dev *d, enum e1k_dma_kind kind, uint64_t addr, void *buf, size_t len,
                 const char *what);
int e1k_dma_write(struct e1k_dev *d, enum e1k_dma_kind kind, uint64_t addr, const void *buf,
                  size_t len, const char *what);
/* Statistics: 32-bit counters and the 64-bit pairs (low register offset)
 * saturate at all ones (SDM 13.7). */
void e1k_stat_inc(struct e1k_dev *d, uint32_t off, uint32_t n);
void e1k_stat_add64(struct e1k_dev *d, uint32_t lo_off, uint64_t n);
/* The link as the MAC sees it (STATUS.LU), and its speed in Mb/s. */
int e1k_mac_link_up(const struct e1k_dev *d);
unsigned e1k_mac_speed(const struct e1k_dev *d);
/* MAC loopback (RCTL.LBM = 01b) or PHY loopback (PCTRL bit 14) is on. */
int e1k_loopback(const struct e1k_dev *d);
/* The transmitter may start a frame: enabled, link up (or loopback), not
 * paused by flow control. */
int e1k_mac_can_tx(const struct e1k_dev *d);
/* Flow control (SDM 3.7, 8.x "Flow Control"): a received PAUSE with CTRL.RFCE
 * pauses the transmitter for `quanta` x 512 bit times (0 = XON: resume).
 * The receive FIFO crossing FCRTH sends XOFF (CTRL.TFCE), falling below
 * FCRTL afterwards sends XON. */
void e1k_fc_pause_received(struct e1k_dev *d, uint16_t quanta);
void e1k_fc_rx_fifo_changed(struct e1k_dev *d, uint32_t fifo_bytes);
void e1k_fc_rx_overflow(struct e1k_dev *d);
/* Build the 60-byte PAUSE frame + FCS for `quanta` into buf (64 bytes). */
void e1k_fc_build_pause(const struct e1k_dev *d, uint16_t quanta, uint8_t buf[64]);
/* IEEE 802.3 CRC-32 as the FCS is computed (reflected, init and final
 * xor all ones). */
uint32_t e1k_crc32(const uint8_t *p, size_t len);

/* A frame leaves the MAC (FCS included): to the receiver in loopback, else
 * to the wire. */
void e1k_mac_tx_out(struct e1k_dev *d, const uint8_t *frame, size_t len);

#endif
