/* Traffic sources: a generator (length or length mix, constant or Poisson
 * arrivals, bursts; seeded) or a pcap/pcapng replayed at its recorded
 * timestamps, re-timed at a rate, or back to back at line rate, looped. */
#ifndef E1K_TRAFFIC_H
#define E1K_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

#define TSRC_MAX_FRAME 16384

struct tsrc;

/* `dir` 0: into the NIC (destination = the NIC's MAC `nic_mac`); 1: from the
 * guest (source = `nic_mac`). `base_dir` resolves relative pcap paths.
 * Returns NULL with a message naming the file or key. */
struct tsrc *tsrc_new(const struct scen_traffic *t, int dir, const char *base_dir,
                      const uint8_t nic_mac[6], uint64_t seed, char *err, size_t errlen);
void tsrc_free(struct tsrc *s);
/* Shift every time by `t0` (the run starts traffic at link-up). */
void tsrc_set_origin(struct tsrc *s, uint64_t t0_ps);
/* The next frame: 1 (frame, its offer time, no FCS), 0 at the end, -1 on a
 * bad pcap record (message names the file and record). */
int tsrc_next(struct tsrc *s, uint64_t *t_ps, const uint8_t **frame, uint32_t *len, char *err,
              size_t errlen);
/* 1 when frames are meant back to back at line rate (pcap_timing: line). */
int tsrc_line_rate(const struct tsrc *s);

#endif
