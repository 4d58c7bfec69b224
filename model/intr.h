/* Interrupt delivery and moderation (SDM 13.4.17-13.4.21, 13.4.18 ITR,
 * 13.4.30/31 RDTR/RADV, 13.4.41/44 TIDV/TADV; 3.2.7, 3.4.1). */
#ifndef E1K_INTR_H
#define E1K_INTR_H

#include <stdint.h>

struct e1k_dev;

struct e1k_intr {
    uint64_t last_assert;  /* time of the last INTA# assertion */
    int ever_asserted;
    int itr_wait;          /* ITR timer armed: an assertion is being held */
    int rdtr_armed, radv_armed, tidv_armed, tadv_armed;
    uint64_t rx_frames, tx_frames; /* frames written back since the last assertion */
    uint64_t assertions;
    int qemu_ide;          /* QEMU mode: a TX descriptor with IDE since the last hold-off */
};

/* Raise interrupt causes (ICR bits). */
void e1k_intr_cause(struct e1k_dev *d, uint32_t causes);
/* A received frame's last descriptor was written back: RXT0 now or through
 * the RDTR/RADV timers; `len` for the small-packet detect (RSRPD). */
void e1k_intr_rx_frame(struct e1k_dev *d, unsigned len);
/* RDTR written with FPD: flush the receive timers. */
void e1k_intr_rx_flush(struct e1k_dev *d);
/* A transmit descriptor with RS was written back; `ide` its IDE bit: TXDW
 * now or through the TIDV/TADV timers. */
void e1k_intr_tx_desc(struct e1k_dev *d, int ide);
/* A transmitted frame (counted for "frames per interrupt"). */
void e1k_intr_tx_frame(struct e1k_dev *d);
/* Timer expiry (E1K_TIMER_ITR/RDTR/RADV/TIDV/TADV). */
void e1k_intr_timer(struct e1k_dev *d, unsigned id);
/* Forget all moderation state (reset). */
void e1k_intr_reset(struct e1k_dev *d);

#endif
