/* libFuzzer target: the pcap/pcapng reader (sim/pcapio.c over libpcap) and
 * the pcap traffic source (sim/traffic.c). pcapin_open takes a path, so each
 * input is written to one per-process temporary file (rewritten in place;
 * unlinked, named /proc/self/fd/N).
 *
 * Oracles besides the sanitizers:
 * - errors are one terminated line that starts with the file's name
 *   ("FILE: ..."; pcapin_next's "FILE: record N: ...");
 * - every frame has caplen <= len and timestamps never go backwards;
 * - a rewound second pass reads exactly the same records and stops the same way;
 * - what was read, written with pcapout (nanosecond pcap; times relative to
 *   the first frame) and re-encoded as pcapng (nanosecond EPBs) by this
 *   file, reads back the same;
 * - tsrc (loop 2; recorded, rate or line timing by the input's length) yields
 *   every frame of >= 14 bytes twice, unchanged (cut at TSRC_MAX_FRAME), with
 *   offer times that never decrease, and fails where the reader failed (or,
 *   with recorded timing, past 100 days of capture time). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapio.h"
#include "scenario.h"
#include "traffic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A per-process temporary file, unlinked at once (nothing is left behind
 * however the process ends) and named through /proc/self/fd. */
struct tmp {
    char path[64];
    int fd;
};
static struct tmp in_f = { "", -1 }, out_f = { "", -1 }, ng_f = { "", -1 };

static void tmp_init(struct tmp *t)
{
    if (t->fd >= 0)
        return;
    char name[256];
    const char *dir = getenv("TMPDIR");
    snprintf(name, sizeof(name), "%s/e1k-fuzz-pcap-XXXXXX", dir && *dir ? dir : "/tmp");
    t->fd = mkstemp(name);
    if (t->fd < 0) {
        perror(name);
        abort();
    }
    unlink(name);
    snprintf(t->path, sizeof(t->path), "/proc/self/fd/%d", t->fd);
}

static void tmp_write(struct tmp *t, const void *data, size_t size)
{
    if (ftruncate(t->fd, 0))
        abort();
    size_t done = 0;
    while (done < size) {
        ssize_t k = pwrite(t->fd, (const char *)data + done, size - done, (off_t)done);
        if (k <= 0)
            abort();
        done += (size_t)k;
    }
}

static void fail(const char *what, const char *err)
{
    fprintf(stderr, "fuzz_pcap: %s%s%s\n", what, err ? ": " : "", err ? err : "");
    abort();
}

/* A failure's message: terminated, one line, "PATH: ..." (and "PATH: record N: ..."). */
static void check_err(const char *err, size_t errlen, const char *path, uint64_t record)
{
    if (!memchr(err, 0, errlen))
        fail("an error message is not terminated", NULL);
    if (strchr(err, '\n'))
        fail("an error message spans lines", err);
    size_t pl = strlen(path);
    if (strncmp(err, path, pl) || strncmp(err + pl, ": ", 2) || !err[pl + 2])
        fail("an error message does not start with the file's name", err);
    if (record) {
        char want[64];
        snprintf(want, sizeof(want), "record %llu: ", (unsigned long long)record);
        if (strncmp(err + pl + 2, want, strlen(want)))
            fail("a record's error message does not name the record", err);
    }
}

struct rec {
    uint32_t caplen, len;
    uint64_t ts_ns;
    uint64_t hash; /* of the data, FNV-1a */
};

struct pass {
    struct rec *r;
    size_t n, cap;
    int end; /* 0: clean end, -1: a bad record after the n read */
};

static uint64_t fnv(const uint8_t *d, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ d[i]) * 0x100000001b3ull;
    return h;
}

static void push(struct pass *p, const struct rec *r)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        p->r = realloc(p->r, p->cap * sizeof(*p->r));
        if (!p->r)
            abort();
    }
    p->r[p->n++] = *r;
}

/* Reads to the end or the first bad record, checking each record. `limit`
 * bounds the records a file of its size can hold (no endless loop). */
static void read_all(struct pcapin *in, const char *path, struct pass *out, size_t limit)
{
    char err[512];
    uint64_t last = 0;
    out->n = 0;
    for (;;) {
        const uint8_t *d = NULL;
        uint32_t caplen = 0, len = 0;
        uint64_t ts = 0;
        memset(err, 'x', sizeof(err));
        int rc = pcapin_next(in, &d, &caplen, &len, &ts, err, sizeof(err));
        if (rc == 0) {
            out->end = 0;
            break;
        }
        if (rc < 0) {
            check_err(err, sizeof(err), path, out->n + 1);
            out->end = -1;
            break;
        }
        if (rc != 1)
            fail("pcapin_next returned neither 1, 0 nor -1", NULL);
        if (caplen > len)
            fail("a frame's captured length exceeds its length", NULL);
        if (caplen && !d)
            fail("a frame without data", NULL);
        if (out->n && ts < last)
            fail("timestamps go backwards", NULL);
        last = ts;
        struct rec r = { caplen, len, ts, fnv(d, caplen) };
        push(out, &r);
        if (pcapin_records(in) != out->n)
            fail("pcapin_records disagrees with the records read", NULL);
        if (out->n > limit)
            fail("more records than the file can hold", NULL);
    }
}

static int same_pass(const struct pass *a, const struct pass *b)
{
    return a->n == b->n && a->end == b->end &&
           (!a->n || !memcmp(a->r, b->r, a->n * sizeof(*a->r)));
}

static int same_records(const struct pass *a, const struct pass *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->r[i].caplen != b->r[i].caplen || a->r[i].len != b->r[i].len ||
            a->r[i].ts_ns != b->r[i].ts_ns || a->r[i].hash != b->r[i].hash)
            return 0;
    return 1;
}

/* ---- pcapng re-encoding (little-endian, one nanosecond interface) ---- */

struct buf {
    uint8_t *d;
    size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        while (b->n + n > b->cap)
            b->cap = b->cap ? 2 * b->cap : 4096;
        b->d = realloc(b->d, b->cap);
        if (!b->d)
            abort();
    }
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

static void put32(struct buf *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put(b, x, 4);
}

static void put16(struct buf *b, uint16_t v)
{
    uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    put(b, x, 2);
}

/* ---- the checks ---- */

#define MAX_SPAN_NS (100ull * 86400 * 1000000000) /* sim/traffic.c: recorded timing's limit */

static const uint8_t nic_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void check_tsrc(const struct pass *first, size_t size, size_t nrec)
{
    struct scenario sc;
    scen_defaults(&sc);
    struct scen_traffic t = sc.traffic.rx;
    t.source = SCEN_SRC_PCAP;
    snprintf(t.pcap, sizeof(t.pcap), "%s", in_f.path);
    t.pcap_timing = (int)(size % 3);
    t.loop = 2;
    t.rate_pps = size & 8 ? 1 : 100000000;
    t.start_ps = size & 16 ? 1000 : 0;
    char err[512];
    memset(err, 'x', sizeof(err));
    struct tsrc *s = tsrc_new(&t, (int)(size >> 2 & 1), "/nonexistent", nic_mac, size, err,
                              sizeof(err));
    if (!s)
        fail("tsrc_new failed on a file pcapin_open opened", err);
    if (tsrc_line_rate(s) != (t.pcap_timing == SCEN_PT_LINE))
        fail("tsrc_line_rate disagrees with pcap_timing", NULL);
    uint64_t origin = size & 32 ? 5000000 : 0;
    tsrc_set_origin(s, origin);
    size_t k = 0, want_frames = 0;
    for (size_t i = 0; i < first->n; i++)
        want_frames += first->r[i].caplen >= 14;
    uint64_t last_t = 0;
    int rc;
    for (;;) {
        uint64_t tp = 0;
        const uint8_t *f = NULL;
        uint32_t len = 0;
        memset(err, 'x', sizeof(err));
        rc = tsrc_next(s, &tp, &f, &len, err, sizeof(err));
        if (rc != 1)
            break;
        if (len < 14 || len > TSRC_MAX_FRAME)
            fail("tsrc: a frame of impossible length", NULL);
        /* which record: the k-th frame of >= 14 bytes, in pass k / want_frames */
        if (!want_frames || k >= 2 * want_frames)
            fail("tsrc: more frames than the file holds (loop 2)", NULL);
        size_t nth = k % want_frames, i = 0;
        for (;; i++)
            if (first->r[i].caplen >= 14 && !nth--)
                break;
        const struct rec *r = &first->r[i];
        uint32_t cut = r->caplen > TSRC_MAX_FRAME ? TSRC_MAX_FRAME : r->caplen;
        if (len != cut || (r->caplen <= TSRC_MAX_FRAME && fnv(f, len) != r->hash))
            fail("tsrc: a frame differs from the file's", NULL);
        if (tp < origin + t.start_ps)
            fail("tsrc: a frame offered before the origin + start", NULL);
        if (k && tp < last_t)
            fail("tsrc: offer times go backwards", NULL);
        if (t.pcap_timing == SCEN_PT_LINE && tp != origin + t.start_ps)
            fail("tsrc: line rate frames are not all offered at once", NULL);
        last_t = tp;
        k++;
        if (k > 2 * nrec + 2)
            fail("tsrc: endless", NULL);
    }
    if (rc < 0) {
        if (!memchr(err, 0, sizeof(err)))
            fail("tsrc: an error message is not terminated", NULL);
        if (strchr(err, '\n'))
            fail("tsrc: an error message spans lines", err);
        if (strncmp(err, in_f.path, strlen(in_f.path)))
            fail("tsrc: an error message does not name the file", err);
        /* Recorded timing refuses captures (and loops of them) spanning more
         * than 100 days: loop 2 plays at most 3 spans (one gap <= a span). */
        uint64_t span = first->n ? first->r[first->n - 1].ts_ns - first->r[0].ts_ns : 0;
        int too_long = t.pcap_timing == SCEN_PT_RECORDED && span > MAX_SPAN_NS / 3 &&
                       strstr(err, "timestamps span more than 100 days");
        if (first->end == 0 && !too_long)
            fail("tsrc: failed on a file read cleanly", err);
        if (too_long && span <= MAX_SPAN_NS && k < want_frames)
            fail("tsrc: refused the first pass of a capture spanning less than 100 days", err);
    } else if (rc == 0) {
        if (first->end < 0)
            fail("tsrc: ended cleanly on a file with a bad record", NULL);
        if (k != 2 * want_frames)
            fail("tsrc: not every frame twice (loop 2)", NULL);
    } else {
        fail("tsrc_next returned neither 1, 0 nor -1", NULL);
    }
    tsrc_free(s);
}

/* Writes what was read with pcapout and reads it back. */
static void check_pcapout(struct pcapin *in, const struct pass *first)
{
    char err[512];
    struct pcapout *o = NULL;
    /* pcapout takes simulated time in picoseconds: times relative to the first */
    uint64_t t0 = first->n ? first->r[0].ts_ns : 0;
    for (size_t i = 0; i < first->n; i++)
        if (first->r[i].ts_ns - t0 > UINT64_MAX / 1000 || first->r[i].caplen > 65535)
            return; /* not representable (213 days; snapshot length 65535) */
    if (pcapin_rewind(in, err, sizeof(err)))
        fail("rewind failed", err);
    if (pcapout_open(out_f.path, &o, err, sizeof(err)))
        fail("pcapout_open failed", err);
    for (size_t i = 0; i < first->n; i++) {
        const uint8_t *d;
        uint32_t caplen, len;
        uint64_t ts;
        if (pcapin_next(in, &d, &caplen, &len, &ts, err, sizeof(err)) != 1)
            fail("a third pass differs", NULL);
        pcapout_write(o, d, caplen, (ts - t0) * 1000);
    }
    if (pcapout_close(o, err, sizeof(err)))
        fail("pcapout_close failed", err);
    struct pcapin *back = NULL;
    if (pcapin_open(out_f.path, &back, err, sizeof(err)))
        fail("what pcapout wrote does not open", err);
    struct pass p = { 0 };
    read_all(back, out_f.path, &p, first->n + 1);
    pcapin_close(back);
    if (p.end)
        fail("what pcapout wrote does not read to the end", NULL);
    int ok = p.n == first->n;
    for (size_t i = 0; ok && i < p.n; i++)
        ok = p.r[i].caplen == first->r[i].caplen && p.r[i].len == first->r[i].caplen &&
             p.r[i].ts_ns == first->r[i].ts_ns - t0 && p.r[i].hash == first->r[i].hash;
    free(p.r);
    if (!ok)
        fail("what pcapout wrote reads back differently", NULL);
}

/* Re-encodes what was read as pcapng and reads it back. */
static void check_pcapng(struct pcapin *in, const struct pass *first)
{
    char err[512];
    if (pcapin_rewind(in, err, sizeof(err)))
        fail("rewind failed", err);
    struct buf b = { 0 };
    /* SHB */
    put32(&b, 0x0A0D0D0A);
    put32(&b, 28);
    put32(&b, 0x1A2B3C4D);
    put16(&b, 1);
    put16(&b, 0);
    put32(&b, 0xFFFFFFFF);
    put32(&b, 0xFFFFFFFF);
    put32(&b, 28);
    /* IDB: Ethernet, snaplen 0 (none), if_tsresol 9 */
    put32(&b, 1);
    put32(&b, 32);
    put16(&b, 1);
    put16(&b, 0);
    put32(&b, 0);
    put16(&b, 9);
    put16(&b, 1);
    put32(&b, 9);
    put32(&b, 0);
    put32(&b, 32);
    static const uint8_t zero[4];
    for (size_t i = 0; i < first->n; i++) {
        const uint8_t *d;
        uint32_t caplen, len;
        uint64_t ts;
        if (pcapin_next(in, &d, &caplen, &len, &ts, err, sizeof(err)) != 1)
            fail("a third pass differs", NULL);
        uint32_t pad = (4 - caplen % 4) % 4, total = 32 + caplen + pad;
        put32(&b, 6);
        put32(&b, total);
        put32(&b, 0);
        put32(&b, (uint32_t)(ts >> 32));
        put32(&b, (uint32_t)ts);
        put32(&b, caplen);
        put32(&b, len);
        if (caplen)
            put(&b, d, caplen);
        put(&b, zero, pad);
        put32(&b, total);
    }
    tmp_write(&ng_f, b.d, b.n);
    free(b.d);
    struct pcapin *back = NULL;
    if (pcapin_open(ng_f.path, &back, err, sizeof(err)))
        fail("the pcapng re-encoding does not open", err);
    struct pass p = { 0 };
    read_all(back, ng_f.path, &p, first->n + 1);
    pcapin_close(back);
    int ok = !p.end && same_records(&p, first);
    free(p.r);
    if (!ok)
        fail("the pcapng re-encoding reads back differently", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tmp_init(&in_f);
    tmp_init(&out_f);
    tmp_init(&ng_f);
    tmp_write(&in_f, data, size);

    char err[512];
    memset(err, 'x', sizeof(err));
    struct pcapin *in = NULL;
    if (pcapin_open(in_f.path, &in, err, sizeof(err))) {
        check_err(err, sizeof(err), in_f.path, 0);
        return 0;
    }
    if (!in)
        fail("pcapin_open succeeded without a reader", NULL);
    size_t limit = size / 12 + 1; /* no record takes fewer than 12 bytes (pcapng SPB) */
    struct pass first = { 0 }, second = { 0 };
    read_all(in, in_f.path, &first, limit);
    memset(err, 'x', sizeof(err));
    if (pcapin_rewind(in, err, sizeof(err))) {
        check_err(err, sizeof(err), in_f.path, 0);
        fail("rewind failed on a file that opened", err);
    }
    read_all(in, in_f.path, &second, limit);
    if (!same_pass(&first, &second))
        fail("a rewound pass reads differently", NULL);
    check_pcapout(in, &first);
    check_pcapng(in, &first);
    pcapin_close(in);
    check_tsrc(&first, size, limit);
    free(first.r);
    free(second.r);
    return 0;
}
