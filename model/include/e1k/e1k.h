/* The Intel 82540EM gigabit Ethernet controller model.
 *
 * A library with an opaque handle. It knows nothing of the simulator around
 * it: it reaches the world only through `struct e1k_host` (DMA, interrupt
 * line, frames out, time, timers, anomaly reports). Section numbers "SDM x.y"
 * refer to Intel's "PCI/PCI-X Family of Gigabit Ethernet Controllers Software
 * Developer's Manual" (8254x), revision 4.0.
 */
#ifndef E1K_E1K_H
#define E1K_E1K_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define E1K_MMIO_SIZE 0x20000u /* memory BAR: 128 KiB (SDM 4.1, 13.2) */
#define E1K_IO_SIZE 0x8u       /* I/O BAR: IOADDR at 0, IODATA at 4 (SDM 4.1.1, 13.1) */
#define E1K_PCI_CFG_SIZE 0x100u

struct e1k_dev;

/* Timers the model asks its host to run. Each id is one-shot; arming an
 * armed timer moves it. When it expires the host calls e1k_timer_fired(). */
enum e1k_timer {
    E1K_TIMER_AUTONEG, /* PHY auto-negotiation / link-up completes */
    E1K_TIMER_MDIC,    /* MDIC operation completes (READY rises) */
    E1K_TIMER_EERD,    /* EERD read completes (DONE rises) */
    E1K_TIMER_ITR,     /* interrupt throttling interval ends */
    E1K_TIMER_RDTR,    /* receive packet delay timer */
    E1K_TIMER_RADV,    /* receive absolute delay timer */
    E1K_TIMER_TIDV,    /* transmit interrupt delay timer */
    E1K_TIMER_TADV,    /* transmit absolute delay timer */
    E1K_TIMER_TX,      /* transmit engine's next step */
    E1K_TIMER_RX,      /* receive engine's next step */
    E1K_TIMER_FC,      /* a received PAUSE's quanta run out */
    E1K_TIMER_WIRE,    /* the frame on the wire has been sent */
    E1K_TIMER_TXDONE,  /* transmit completions after their DMA */
    E1K_TIMER_COUNT
};

/* What a guest (or a file) did that the device tolerates but that a user
 * should hear about. Counted by the model and passed to the host. */
enum e1k_anomaly_kind {
    E1K_ANOM_UNKNOWN_REG,   /* access to an offset no register decodes */
    E1K_ANOM_UNALIGNED,     /* access not naturally aligned */
    E1K_ANOM_BAD_WIDTH,     /* width the SDM does not allow for this register */
    E1K_ANOM_RO_WRITE,      /* write to a read-only register */
    E1K_ANOM_WO_READ,       /* read of a write-only register */
    E1K_ANOM_RESERVED_BITS, /* write set bits the SDM reserves */
    E1K_ANOM_MDIC,          /* MDIC access to a wrong PHY address or register */
    E1K_ANOM_EEPROM,        /* EEPROM protocol misuse (EERD address, EECD) */
    E1K_ANOM_PCI,           /* PCI configuration access oddity */
    E1K_ANOM_DMA,           /* DMA refused by the host (outside guest memory) */
    E1K_ANOM_RING,          /* nonsense ring programming (length, head, tail) */
    E1K_ANOM_DESC,          /* nonsense descriptor contents */
    E1K_ANOM_COUNT
};

struct e1k_anomaly {
    enum e1k_anomaly_kind kind;
    uint32_t offset; /* register offset (or 0) */
    uint64_t value;  /* value written / address, as relevant */
    const char *msg; /* one line, valid only during the callback */
};

/* What a DMA transaction is for (the host counts them by kind). */
enum e1k_dma_kind {
    E1K_DMA_DESC_FETCH, /* descriptor read */
    E1K_DMA_DESC_WB,    /* descriptor write-back */
    E1K_DMA_DATA,       /* packet data, either way */
    E1K_DMA_KINDS
};

struct e1k_host {
    void *ctx;
    /* DMA to/from guest-physical memory. Return 0, or negative when refused
     * (outside guest memory, or into a device's BAR): the model then behaves
     * as the SDM says and records an E1K_ANOM_DMA anomaly. */
    int (*dma_read)(void *ctx, enum e1k_dma_kind kind, uint64_t addr, void *buf, size_t len);
    int (*dma_write)(void *ctx, enum e1k_dma_kind kind, uint64_t addr, const void *buf,
                     size_t len);
    /* INTx line level changed (called only on changes). */
    void (*set_irq)(void *ctx, int level);
    /* A frame left on the wire: destination address through FCS (no
     * preamble/SFD), `len` including the 4 FCS bytes. */
    void (*tx_frame)(void *ctx, const uint8_t *frame, size_t len);
    /* Current simulated time in picoseconds. */
    uint64_t (*now)(void *ctx);
    void (*timer_arm)(void *ctx, unsigned id, uint64_t when_ps);
    void (*timer_cancel)(void *ctx, unsigned id);
    /* Optional. */
    void (*anomaly)(void *ctx, const struct e1k_anomaly *a);
    /* Optional: a frame reached a stage (see enum e1k_frame_event) at time
     * t_ps (which the timing model may place after now, within the DMA of
     * the step in progress). Receive
     * events come in the order frames were accepted by e1k_rx_frame,
     * transmit events in ring order, so the host can match them to frames. */
    void (*frame_event)(void *ctx, int ev, uint64_t t_ps);
};

enum e1k_frame_event {
    E1K_EV_RX_DMA_DONE, /* a received frame's data is in guest memory */
    E1K_EV_RX_WB,       /* its last descriptor is written back */
    E1K_EV_RX_DROP,     /* an accepted frame was dropped before reaching memory */
    E1K_EV_TX_FETCH,    /* a frame's first descriptor was fetched */
    E1K_EV_TX_WIRE,     /* a frame's (or each TSO segment's) last bit left the MAC */
    E1K_EV_TX_WIRE_START, /* its first bit (preamble) went on the wire */
    E1K_EV_TX_DROP,     /* the packet being processed was dropped (nothing sent) */
    E1K_EV_TX_WB,       /* a frame's last descriptor was written back (or completed) */
};

/* Durations of device-internal operations and the bus and wire costs, in
 * picoseconds unless noted. Defaults and their sources: docs/timing.md.
 * The `functional` preset sets every latency to zero (QEMU-like): DMA is
 * free, frames leave the wire at once, MDIC/EERD/auto-negotiation finish at
 * once. */
struct e1k_timing {
    uint64_t autoneg_ps;   /* auto-negotiation restart to link up */
    uint64_t mdic_ps;      /* MDIC op: 64-bit MDIO frame at 2.5 MHz = 25.6 us */
    uint64_t eerd_ps;      /* EERD word read over Microwire */
    /* PCI (the 82540EM is 32-bit PCI at 33 or 66 MHz, SDM 1.x / 4.x) */
    unsigned pci_mhz;          /* 33 or 66; 0: DMA costs nothing */
    unsigned pci_bytes;        /* bus width in bytes: 4 */
    uint64_t dma_read_latency_ps;  /* memory read: request to first data */
    uint64_t dma_write_cycles;     /* posted write: address + turnaround cycles */
    unsigned dma_burst_bytes;      /* the longest burst one transaction carries */
    uint64_t mmio_read_ps;     /* a register read's round trip (for the guest's cost) */
    uint64_t mmio_write_ps;    /* a posted register write */
    int wire;                  /* frames take their wire time (preamble, IFG) */
};/* Interrupt moderation behaviour. E1K_MIT_SDM is the 82540EM as the SDM
 * describes it (ITR minimum interval, RDTR/RADV and TIDV/TADV timers).
 * E1K_MIT_QEMU imitates QEMU 7.x's e1000 (hw/net/e1000.c, "mitigation" on):
 * causes are raised at once; a rising edge of INTA# starts a hold-off of
 * max(500, the smallest non-zero of ITR, RADV x 4 (RDTR set, RXT0 pending),
 * TADV x 4 (a TX descriptor had IDE)) x 256 ns during which further rising
 * edges wait; at most 7813 interrupts/s even with ITR 0. */
enum e1k_mitigation { E1K_MIT_SDM, E1K_MIT_QEMU };

struct e1k_config {
    uint8_t mac[6];
    uint16_t vendor_id, device_id;              /* 8086:100E */
    uint16_t subsys_vendor_id, subsys_id;       /* 8086:001E */
    uint8_t revision;
    uint32_t flash_size;                        /* 0: no flash (BAR1, ROM BAR off); else 64..512 KiB */
    int cable_connected;                        /* a link partner is attached */
    unsigned partner_speeds;                    /* bitmask: 1=10 2=100 4=1000 (full duplex) */
    enum e1k_mitigation mitigation;
    struct e1k_timing timing;
    const uint16_t *eeprom_image;               /* optional 64 words; NULL = build default */
};

void e1k_config_default(struct e1k_config *cfg);
void e1k_timing_default(struct e1k_timing *t);
void e1k_timing_functional(struct e1k_timing *t);

/* The EEPROM image e1k_new builds when cfg->eeprom_image is NULL (MAC and
 * IDs from cfg, checksum word fixed). */
void e1k_eeprom_default_image(const struct e1k_config *cfg, uint16_t img[64]);

/* Create a device in its power-on state (EEPROM loaded). NULL on no memory. */
struct e1k_dev *e1k_new(const struct e1k_config *cfg, const struct e1k_host *host);
void e1k_free(struct e1k_dev *d);

/* Guest-facing accesses. `size` is 1, 2 or 4 bytes; offsets are BAR-relative. */
uint32_t e1k_mmio_read(struct e1k_dev *d, uint32_t off, unsigned size);
void e1k_mmio_write(struct e1k_dev *d, uint32_t off, uint32_t val, unsigned size);
uint32_t e1k_io_read(struct e1k_dev *d, uint32_t off, unsigned size);
void e1k_io_write(struct e1k_dev *d, uint32_t off, uint32_t val, unsigned size);
uint32_t e1k_pci_read(struct e1k_dev *d, uint32_t off, unsigned size);
void e1k_pci_write(struct e1k_dev *d, uint32_t off, uint32_t val, unsigned size);

/* A frame arrives from the wire: destination address through FCS (`len`
 * includes the 4 FCS bytes; a wrong FCS is a CRC error). Filtered, then held
 * in the receive FIFO until descriptors take it. */
enum e1k_rx_result {
    E1K_RX_ACCEPTED,    /* into the receive FIFO */
    E1K_RX_FILTERED,    /* no filter matched, or a PAUSE frame consumed by the MAC */
    E1K_RX_DROPPED,     /* FIFO full (RXO, MPC), receiver off, link down, or bad frame */
};
enum e1k_rx_result e1k_rx_frame(struct e1k_dev *d, const uint8_t *frame, size_t len);

/* The FCS of a frame (IEEE 802.3 CRC-32), as the device computes and checks
 * it: hosts append it to frames they hand to e1k_rx_frame. */
uint32_t e1k_fcs(const uint8_t *frame, size_t len);

/* The cost of one DMA transfer of `len` bytes under the configured timing. */
uint64_t e1k_dma_cost(const struct e1k_dev *d, int is_read, size_t len);
const struct e1k_timing *e1k_get_timing(const struct e1k_dev *d);

/* Host-facing events. */
void e1k_timer_fired(struct e1k_dev *d, unsigned id);
void e1k_set_cable(struct e1k_dev *d, int connected);
/* PCI reset (RST#): everything back to power-on, EEPROM contents kept. */
void e1k_pci_reset(struct e1k_dev *d);

int e1k_irq_level(const struct e1k_dev *d);
/* A register's current value without read side effects (ICR stays set,
 * counters are not cleared). `off` is a memory-BAR offset. */
uint32_t e1k_reg_peek(const struct e1k_dev *d, uint32_t off);
/* Set a register's stored value with no side effects: for tests and tools
 * (e.g. preloading a statistics counter), never for guest accesses. */
void e1k_reg_poke(struct e1k_dev *d, uint32_t off, uint32_t val);
/* The I/O window's IOADDR, without side effects (for naming IODATA). */
uint32_t e1k_io_addr(const struct e1k_dev *d);
uint64_t e1k_anomaly_count(const struct e1k_dev *d, enum e1k_anomaly_kind kind);
uint64_t e1k_anomaly_total(const struct e1k_dev *d);
const char *e1k_anomaly_name(enum e1k_anomaly_kind kind);
/* The EEPROM's current contents (64 words). */
const uint16_t *e1k_eeprom_words(const struct e1k_dev *d);

/* ---- the register table (generated from model/e1k_regs.def) ---- */

enum e1k_access {
    E1K_ACC_RW,   /* read/write */
    E1K_ACC_RO,   /* read-only: writes ignored */
    E1K_ACC_WO,   /* write-only: reads return 0 (SDM 13.1) */
    E1K_ACC_RC,   /* read-only, clear on read (statistics) */
    E1K_ACC_RW1C, /* read; writing 1 clears (ICR, WUS) */
    E1K_ACC_RCW,  /* read/write, clear on read (64-bit counter halves) */
};

struct e1k_reg_info {
    const char *name;    /* SDM abbreviation, e.g. "RAL" */
    uint32_t offset;     /* memory-BAR offset of element 0 */
    uint16_t count;      /* 1, or the number of array elements */
    uint16_t stride;     /* bytes between elements (arrays) */
    enum e1k_access access;
    uint32_t reset;      /* value after power-on / software reset */
    uint32_t wmask;      /* bits a write changes */
    const char *desc;    /* one line */
    const char *sdm;     /* SDM section */
};

size_t e1k_reg_count(void);
const struct e1k_reg_info *e1k_reg_at(size_t i);
/* The entry decoding memory-BAR offset `off` (any byte of it), and the array
 * index; NULL when nothing decodes there. */
const struct e1k_reg_info *e1k_reg_lookup(uint32_t off, unsigned *index);
/* Parse "CTRL", "RAL[3]", "RAL3", "MTA[0x7f]" (case-insensitive) into an
 * offset. Returns 0, or -1 when unknown. */
int e1k_reg_parse(const char *name, uint32_t *off);
/* "CTRL", "RAL[3]", or "0x05a00" when nothing decodes; returns buf. */
const char *e1k_reg_name(uint32_t off, char *buf, size_t n);
const char *e1k_access_name(enum e1k_access a);

#ifdef __cplusplus
}
#endif
#endif
