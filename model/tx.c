/* placeholder until the transmit engine lands (being written) */
#include "dev.h"
void e1k_tx_init(struct e1k_dev *d) { (void)d; }
void e1k_tx_free(struct e1k_dev *d) { (void)d; }
void e1k_tx_reset(struct e1k_dev *d) { (void)d; }
void e1k_tx_kick(struct e1k_dev *d) { (void)d; }
void e1k_tx_step(struct e1k_dev *d) { (void)d; }
