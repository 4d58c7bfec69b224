/* pcap/pcapng input and output through libpcap. The only module that
 * includes libpcap. Timestamps are handled at nanosecond precision. */
#ifndef E1K_PCAPIO_H
#define E1K_PCAPIO_H

#include <stddef.h>
#include <stdint.h>

const char *pcapio_lib_version(void);

struct pcapin;

/* Open a pcap or pcapng file of Ethernet frames. -1 with "FILE: message" for
 * a missing, empty, corrupt or non-Ethernet file. */
int pcapin_open(const char *path, struct pcapin **out, char *err, size_t errlen);
/* The next frame: 1, 0 at the end, -1 on a bad record ("FILE: record N:
 * message": truncated or corrupt data, caplen larger than the snapshot
 * length or than the frame, timestamps going backwards). `data` stays valid
 * until the next call. Frames captured shorter than they were (caplen < len)
 * are returned as captured; `len` tells the original length. */
int pcapin_next(struct pcapin *p, const uint8_t **data, uint32_t *caplen, uint32_t *len,
                uint64_t *ts_ns, char *err, size_t errlen);
/* Start over (for looping); 0 or -1. */
int pcapin_rewind(struct pcapin *p, char *err, size_t errlen);
uint64_t pcapin_records(const struct pcapin *p);
void pcapin_close(struct pcapin *p);

struct pcapout;
/* Create a pcap file (Ethernet, nanosecond timestamps, snaplen 65535). */
int pcapout_open(const char *path, struct pcapout **out, char *err, size_t errlen);
/* Write a frame (without FCS) with its simulated time in picoseconds. */
int pcapout_write(struct pcapout *p, const uint8_t *frame, size_t len, uint64_t t_ps);
/* Flush and close; -1 if a write failed at any point. */
int pcapout_close(struct pcapout *p, char *err, size_t errlen);

#endif
