#include "pcapio.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pcapio_lib_version(void) { return pcap_lib_version(); }

struct pcapin {
    pcap_t *p;
    char *path;
    uint64_t record;
    uint64_t last_ns;
    int snaplen;
    int classic;    /* classic pcap (not pcapng): record sizes are checked */
    long pos;       /* file position after the last record */
};

static pcap_t *open_nano(const char *path, char *perr)
{
    return pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
}

int pcapin_open(const char *path, struct pcapin **out, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    unsigned char magic[4];
    size_t got = fread(magic, 1, 4, f);
    fclose(f);
    if (got == 0) {
        snprintf(err, errlen, "%s: empty file, not a pcap", path);
        return -1;
    }
    uint32_t m = got == 4 ? (uint32_t)magic[0] | (uint32_t)magic[1] << 8 |
                                (uint32_t)magic[2] << 16 | (uint32_t)magic[3] << 24
                          : 0;
    int classic = m == 0xA1B2C3D4u || m == 0xD4C3B2A1u || m == 0xA1B23C4Du || m == 0x4D3CB2A1u;
    pcap_t *p = open_nano(path, perr);
    if (!p) {
        snprintf(err, errlen, "%s: %s", path, perr[0] ? perr : "not a pcap or pcapng file");
        return -1;
    }
    int lt = pcap_datalink(p);
    if (lt != DLT_EN10MB) {
        const char *name = pcap_datalink_val_to_name(lt);
        snprintf(err, errlen, "%s: link type %s (%d), not Ethernet", path, name ? name : "?", lt);
        pcap_close(p);
        return -1;
    }
    struct pcapin *in = calloc(1, sizeof(*in));
    if (!in || !(in->path = strdup(path))) {
        free(in);
        pcap_close(p);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    in->p = p;
    in->snaplen = pcap_snapshot(p);
    in->classic = classic && pcap_file(p);
    in->pos = in->classic ? ftell(pcap_file(p)) : 0;
    *out = in;
    return 0;
}

int pcapin_next(struct pcapin *in, const uint8_t **data, uint32_t *caplen, uint32_t *len,
                uint64_t *ts_ns, char *err, size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc = pcap_next_ex(in->p, &h, &d);
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    if (rc != 1) {
        snprintf(err, errlen, "%s: record %llu: %s", in->path,
                 (unsigned long long)in->record + 1,
                 rc == 0 ? "read timeout" : pcap_geterr(in->p));
        return -1;
    }
    in->record++;
    if (in->classic) {
        /* libpcap quietly cuts a record longer than the snapshot length to
         * it; the bytes it skipped tell the record's real captured length.
         * Only a record that came back at the snapshot length can have
         * been cut, so only then is the file position asked for. */
        long stored = (long)h->caplen;
        if (in->snaplen > 0 && h->caplen >= (unsigned)in->snaplen) {
            long pos = ftell(pcap_file(in->p));
            stored = pos - in->pos - 16;
            in->pos = pos;
        } else {
            in->pos += 16 + stored;
        }
        if (stored > (long)h->caplen) {
            snprintf(err, errlen, "%s: record %llu: captured length %ld larger than the "
                     "snapshot length %d", in->path, (unsigned long long)in->record, stored,
                     in->snaplen);
            return -1;
        }
    }
    if (h->caplen > h->len) {
        snprintf(err, errlen, "%s: record %llu: captured length %u larger than the frame (%u)",
                 in->path, (unsigned long long)in->record, h->caplen, h->len);
        return -1;
    }
    if (in->snaplen > 0 && h->caplen > (unsigned)in->snaplen) {
        snprintf(err, errlen, "%s: record %llu: captured length %u larger than the snapshot "
                 "length %d", in->path, (unsigned long long)in->record, h->caplen, in->snaplen);
        return -1;
    }
    /* The file stores unsigned 32-bit seconds: a time_t that came out
     * negative is a date after 2038, not an error. */
    uint64_t sec = h->ts.tv_sec < 0 ? (uint64_t)(uint32_t)h->ts.tv_sec : (uint64_t)h->ts.tv_sec;
    if (h->ts.tv_usec < 0 || h->ts.tv_usec >= 1000000000) {
        snprintf(err, errlen, "%s: record %llu: invalid timestamp", in->path,
                 (unsigned long long)in->record);
        return -1;
    }
    uint64_t ns = sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
    if (in->record > 1 && ns < in->last_ns) {
        snprintf(err, errlen, "%s: record %llu: timestamp goes backwards by %llu ns", in->path,
                 (unsigned long long)in->record, (unsigned long long)(in->last_ns - ns));
        return -1;
    }
    in->last_ns = ns;
    *data = d;
    *caplen = h->caplen;
    *len = h->len;
    *ts_ns = ns;
    return 1;
}

int pcapin_rewind(struct pcapin *in, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = open_nano(in->path, perr);
    if (!p) {
        snprintf(err, errlen, "%s: %s", in->path, perr);
        return -1;
    }
    pcap_close(in->p);
    in->p = p;
    in->record = 0;
    in->last_ns = 0;
    in->pos = in->classic && pcap_file(p) ? ftell(pcap_file(p)) : 0;
    return 0;
}

uint64_t pcapin_records(const struct pcapin *in) { return in->record; }

void pcapin_close(struct pcapin *in)
{
    if (!in)
        return;
    pcap_close(in->p);
    free(in->path);
    free(in);
}

struct pcapout {
    pcap_t *dead;
    pcap_dumper_t *dump;
    char *path;
    int failed;
};

int pcapout_open(const char *path, struct pcapout **out, char *err, size_t errlen)
{
    struct pcapout *o = calloc(1, sizeof(*o));
    if (!o) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    o->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    o->dump = o->dead ? pcap_dump_open(o->dead, path) : NULL;
    if (!o->dump) {
        snprintf(err, errlen, "%s: cannot create: %s", path,
                 o->dead ? pcap_geterr(o->dead) : "out of memory");
        if (o->dead)
            pcap_close(o->dead);
        free(o);
        return -1;
    }
    o->path = strdup(path);
    *out = o;
    return 0;
}

int pcapout_write(struct pcapout *o, const uint8_t *frame, size_t len, uint64_t t_ps)
{
    struct pcap_pkthdr h;
    uint64_t ns = t_ps / 1000;
    h.ts.tv_sec = (time_t)(ns / 1000000000ull);
    h.ts.tv_usec = (suseconds_t)(ns % 1000000000ull); /* nanoseconds in this precision */
    h.len = (bpf_u_int32)len;
    h.caplen = (bpf_u_int32)(len > 65535 ? 65535 : len);
    pcap_dump((u_char *)o->dump, &h, frame);
    return 0;
}

int pcapout_close(struct pcapout *o, char *err, size_t errlen)
{
    if (!o)
        return 0;
    int rc = 0;
    if (pcap_dump_flush(o->dump) != 0) {
        snprintf(err, errlen, "%s: write failed", o->path ? o->path : "pcap");
        rc = -1;
    }
    FILE *f = pcap_dump_file(o->dump);
    if (f && ferror(f)) {
        snprintf(err, errlen, "%s: write failed", o->path ? o->path : "pcap");
        rc = -1;
    }
    pcap_dump_close(o->dump);
    pcap_close(o->dead);
    free(o->path);
    free(o);
    return rc;
}
