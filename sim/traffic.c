#include "traffic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapio.h"
#include "rng.h"

#define MAX_MIX 64
#define MAX_SPAN_NS (100ull * 86400 * 1000000000) /* 100 days */

struct tsrc {
    struct scen_traffic t;
    int dir;
    uint8_t nic_mac[6], peer_mac[6];
    struct rng rg;
    uint64_t origin;
    uint64_t k;          /* frames produced */
    uint64_t arrival;    /* generator: current arrival time (relative) */
    unsigned in_burst;
    /* length mix */
    uint32_t mix_len[MAX_MIX], mix_w[MAX_MIX];
    unsigned nmix;
    uint64_t mix_total;
    /* pcap */
    struct pcapin *pc;
    uint64_t loops_done;
    uint64_t first_ns, last_ns, loop_offset_ps;
    int have_first;
    uint8_t buf[TSRC_MAX_FRAME];
};

static void parse_mix(struct tsrc *s)
{
    const char *p = s->t.length_mix;
    while (*p && s->nmix < MAX_MIX) {
        char *end;
        unsigned long len = strtoul(p, &end, 10);
        unsigned long w = strtoul(end + 1, &end, 10);
        s->mix_len[s->nmix] = (uint32_t)len;
        s->mix_w[s->nmix] = (uint32_t)w;
        s->mix_total += w;
        s->nmix++;
        p = *end == ',' ? end + 1 : end;
    }
}

struct tsrc *tsrc_new(const struct scen_traffic *t, int dir, const char *base_dir,
                      const uint8_t nic_mac[6], uint64_t seed, char *err, size_t errlen)
{
    struct tsrc *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->t = *t;
    s->dir = dir;
    memcpy(s->nic_mac, nic_mac, 6);
    static const uint8_t peer[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
    memcpy(s->peer_mac, peer, 6);
    rng_seed_stream(&s->rg, seed, 0x7261666669637200ull + (uint64_t)dir);
    parse_mix(s);
    if (t->source == SCEN_SRC_PCAP) {
        char path[2 * SCEN_STR + 2];
        if (!t->pcap[0]) {
            snprintf(err, errlen, "traffic.%s.pcap: no file given for source: pcap",
                     dir ? "tx" : "rx");
            free(s);
            return NULL;
        }
        if (t->pcap[0] == '/' || !base_dir || !base_dir[0])
            snprintf(path, sizeof(path), "%s", t->pcap);
        else
            snprintf(path, sizeof(path), "%s/%s", base_dir, t->pcap);
        if (pcapin_open(path, &s->pc, err, errlen)) {
            free(s);
            return NULL;
        }
    }
    return s;
}

void tsrc_free(struct tsrc *s)
{
    if (!s)
        return;
    pcapin_close(s->pc);
    free(s);
}

void tsrc_set_origin(struct tsrc *s, uint64_t t0) { s->origin = t0; }
int tsrc_line_rate(const struct tsrc *s)
{
    return s->t.source == SCEN_SRC_PCAP && s->t.pcap_timing == SCEN_PT_LINE;
}

static uint64_t interval_ps(const struct tsrc *s) { return 1000000000000ull / s->t.rate_pps; }

/* Exponential inter-arrival with mean 1/rate from the run's rng. */
static uint64_t exp_gap(struct tsrc *s)
{
    double u = ((double)(rng_next(&s->rg) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    double gap = -log(u) * 1e12 / (double)s->t.rate_pps;
    return gap > 1e18 ? (uint64_t)1e18 : (uint64_t)gap;
}

static uint32_t gen_len(struct tsrc *s)
{
    if (!s->nmix)
        return (uint32_t)s->t.length;
    uint64_t r = rng_below(&s->rg, s->mix_total);
    for (unsigned i = 0; i < s->nmix; i++) {
        if (r < s->mix_w[i])
            return s->mix_len[i];
        r -= s->mix_w[i];
    }
    return s->mix_len[s->nmix - 1];
}

/* An Ethernet/IPv4/UDP frame carrying its sequence number. */
static void gen_frame(struct tsrc *s, uint32_t len)
{
    uint8_t *f = s->buf;
    memset(f, 0, len);
    memcpy(f, s->dir ? s->peer_mac : s->nic_mac, 6);
    memcpy(f + 6, s->dir ? s->nic_mac : s->peer_mac, 6);
    if (len < 42) {
        f[12] = 0x88;
        f[13] = 0xB5; /* local experimental ethertype */
        return;
    }
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    uint16_t tot = (uint16_t)(len - 14);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[4] = (uint8_t)(s->k >> 8);
    ip[5] = (uint8_t)s->k;
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10;
    ip[15] = s->dir ? 2 : 1;
    ip[16] = 10;
    ip[19] = s->dir ? 1 : 2;
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    sum = ~sum & 0xFFFF;
    ip[10] = (uint8_t)(sum >> 8);
    ip[11] = (uint8_t)sum;
    uint8_t *udp = ip + 20;
    uint16_t ul = (uint16_t)(tot - 20);
    udp[0] = 0x13;
    udp[1] = 0x88; /* port 5000 */
    udp[2] = 0x13;
    udp[3] = 0x89;
    udp[4] = (uint8_t)(ul >> 8);
    udp[5] = (uint8_t)ul; /* checksum 0: none (IPv4) */
    for (int i = 0; i < 8 && 8 + i < ul; i++)
        udp[8 + i] = (uint8_t)(s->k >> (56 - 8 * i));
}

int tsrc_next(struct tsrc *s, uint64_t *t_ps, const uint8_t **frame, uint32_t *len, char *err,
              size_t errlen)
{
    if (s->t.source == SCEN_SRC_NONE)
        return 0;
    if (s->t.count && s->k >= s->t.count)
        return 0;
    if (s->t.source == SCEN_SRC_GENERATOR) {
        if (s->k > 0 && s->in_burst == 0) {
            s->arrival = s->t.process == SCEN_PROC_POISSON
                             ? s->arrival + exp_gap(s)
                             : s->k / s->t.burst * interval_ps(s);
        }
        s->in_burst = (s->in_burst + 1) % (unsigned)s->t.burst;
        uint32_t l = gen_len(s);
        gen_frame(s, l);
        *t_ps = s->origin + s->t.start_ps + s->arrival;
        *frame = s->buf;
        *len = l;
        s->k++;
        return 1;
    }
    /* pcap */
    for (;;) {
        const uint8_t *d;
        uint32_t caplen, wirelen;
        uint64_t ns;
        int rc = pcapin_next(s->pc, &d, &caplen, &wirelen, &ns, err, errlen);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            if (++s->loops_done >= s->t.loop || !s->have_first)
                return 0;
            /* the next loop starts one mean gap after the last frame */
            uint64_t n = pcapin_records(s->pc);
            uint64_t span_ns = s->last_ns - s->first_ns;
            if (span_ns > MAX_SPAN_NS)
                span_ns = MAX_SPAN_NS; /* the next record reports it */
            uint64_t span = span_ns * 1000;
            s->loop_offset_ps += span + (n > 1 ? span / (n - 1) : 1000000);
            if (pcapin_rewind(s->pc, err, errlen))
                return -1;
            continue;
        }
        if (!s->have_first) {
            s->first_ns = ns;
            s->have_first = 1;
        }
        if (s->loops_done == 0)
            s->last_ns = ns;
        uint32_t l = caplen > TSRC_MAX_FRAME ? TSRC_MAX_FRAME : caplen;
        if (l < 14)
            continue; /* not even an Ethernet header: skipped */
        memcpy(s->buf, d, l);
        uint64_t rel;
        switch (s->t.pcap_timing) {
        case SCEN_PT_RECORDED:
            /* simulated time is picoseconds in 64 bits (213 days): a capture
             * spanning more, or loops adding up to more, cannot be replayed
             * at its timestamps */
            if (ns - s->first_ns > MAX_SPAN_NS ||
                s->loop_offset_ps > MAX_SPAN_NS * 1000 - (ns - s->first_ns) * 1000) {
                snprintf(err, errlen,
                         "%s: record %llu: timestamps span more than 100 days: replay it "
                         "with pcap_timing rate or line",
                         s->t.pcap, (unsigned long long)pcapin_records(s->pc));
                return -1;
            }
            rel = s->loop_offset_ps + (ns - s->first_ns) * 1000;
            break;
        case SCEN_PT_RATE:
            rel = s->k * interval_ps(s);
            break;
        default:
            rel = 0; /* back to back: the link serialises */
            break;
        }
        *t_ps = s->origin + s->t.start_ps + rel;
        *frame = s->buf;
        *len = l;
        s->k++;
        return 1;
    }
}
