/* placeholder until the receive engine lands (being written) */
#include "dev.h"
void e1k_rx_init(struct e1k_dev *d) { (void)d; }
void e1k_rx_free(struct e1k_dev *d) { (void)d; }
void e1k_rx_reset(struct e1k_dev *d) { (void)d; }
void e1k_rx_kick(struct e1k_dev *d) { (void)d; }
void e1k_rx_step(struct e1k_dev *d) { (void)d; }
uint32_t e1k_rx_fifo_level(const struct e1k_dev *d) { (void)d; return 0; }
enum e1k_rx_result e1k_rx_frame(struct e1k_dev *d, const uint8_t *f, size_t n) { (void)d; (void)f; (void)n; return E1K_RX_DROPPED; }
