/* Simulated time: a uint64_t count of picoseconds (about 213 days of range).
 * Every clock domain the model needs converts here, in integers, exactly where
 * the hardware is exact. No floating point, no host clock. */
#ifndef E1K_SIMTIME_H
#define E1K_SIMTIME_H

#include <stdint.h>

typedef uint64_t simtime_t;

#define SIMT_PS ((simtime_t)1)
#define SIMT_NS ((simtime_t)1000)
#define SIMT_US ((simtime_t)1000000)
#define SIMT_MS ((simtime_t)1000000000)
#define SIMT_S  ((simtime_t)1000000000000)
#define SIMT_NEVER UINT64_MAX

/* PCI clock: "33 MHz" is 33.33 MHz (30 ns period) and "66 MHz" is 66.66 MHz
 * (15 ns), per the PCI Local Bus spec 2.3, 4.2.3.1 (Tcyc min 30/15 ns). */
enum simt_pci_clock { SIMT_PCI_33MHZ = 33, SIMT_PCI_66MHZ = 66 };

static inline simtime_t simt_pci_period(enum simt_pci_clock c)
{
    return c == SIMT_PCI_66MHZ ? 15 * SIMT_NS : 30 * SIMT_NS;
}

static inline simtime_t simt_pci_cycles(uint64_t n, enum simt_pci_clock c)
{
    return n * simt_pci_period(c);
}

/* Byte time on the wire at 10/100/1000 Mb/s: 800 ns, 80 ns, 8 ns. */
static inline simtime_t simt_byte_time(unsigned mbps)
{
    switch (mbps) {
    case 10: return 800 * SIMT_NS;
    case 100: return 80 * SIMT_NS;
    default: return 8 * SIMT_NS;
    }
}

static inline simtime_t simt_bytes(uint64_t n, unsigned mbps)
{
    return n * simt_byte_time(mbps);
}

/* ITR counts in 256 ns units (SDM 13.4.18); RDTR/RADV/TIDV/TADV count in
 * 1.024 us units (SDM 13.4.30, 13.4.31, 13.4.44, 13.4.45). */
#define SIMT_ITR_UNIT   (256 * SIMT_NS)
#define SIMT_DELAY_UNIT (1024 * SIMT_NS)

static inline simtime_t simt_itr(uint64_t units) { return units * SIMT_ITR_UNIT; }
static inline simtime_t simt_delay(uint64_t units) { return units * SIMT_DELAY_UNIT; }

/* Saturating add, so "now + huge delay" never wraps into the past. */
static inline simtime_t simt_add(simtime_t a, simtime_t b)
{
    return a > SIMT_NEVER - b ? SIMT_NEVER : a + b;
}

#endif
