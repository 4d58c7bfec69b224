/* pcap input and output: timestamps to the nanosecond, one-line errors that
 * name the file and the record, and a pcapout -> pcapin round trip. Every
 * input file is written here byte by byte (the pcap and pcapng layouts are
 * simple enough), so the test does not trust the code it checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcapio.h"

#define MAGIC_US 0xA1B2C3D4u
#define MAGIC_NS 0xA1B23C4Du

static char tmpdir[256];

/* ---- writing files by hand ---- */

struct buf {
    uint8_t b[65536];
    size_t n;
};

static void u16le(struct buf *b, uint32_t v)
{
    b->b[b->n++] = (uint8_t)v;
    b->b[b->n++] = (uint8_t)(v >> 8);
}
static void u32le(struct buf *b, uint32_t v)
{
    u16le(b, v);
    u16le(b, v >> 16);
}
static void u32be(struct buf *b, uint32_t v)
{
    for (int i = 3; i >= 0; i--)
        b->b[b->n++] = (uint8_t)(v >> (8 * i));
}
static void u16be(struct buf *b, uint32_t v)
{
    b->b[b->n++] = (uint8_t)(v >> 8);
    b->b[b->n++] = (uint8_t)v;
}

/* Global header, little-endian (or big-endian when be). */
static void pcap_hdr(struct buf *b, uint32_t magic, uint32_t snaplen, uint32_t dlt, int be)
{
    void (*w32)(struct buf *, uint32_t) = be ? u32be : u32le;
    void (*w16)(struct buf *, uint32_t) = be ? u16be : u16le;
    w32(b, magic);
    w16(b, 2);
    w16(b, 4);
    w32(b, 0); /* thiszone */
    w32(b, 0); /* sigfigs */
    w32(b, snaplen);
    w32(b, dlt);
}

/* A frame whose bytes encode its index and position. */
static void frame_bytes(uint8_t *f, uint32_t len, unsigned k)
{
    static const uint8_t da[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    static const uint8_t sa[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
    for (uint32_t i = 0; i < len; i++)
        f[i] = (uint8_t)(k * 31 + i * 7);
    if (len >= 14) {
        memcpy(f, da, 6);
        memcpy(f + 6, sa, 6);
        f[12] = 0x88;
        f[13] = 0xB5;
    }
}

/* A record: header (sec, frac, caplen, len) and `have` data bytes. */
static void pcap_rec(struct buf *b, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len,
                     uint32_t have, unsigned k, int be)
{
    void (*w32)(struct buf *, uint32_t) = be ? u32be : u32le;
    w32(b, sec);
    w32(b, frac);
    w32(b, caplen);
    w32(b, len);
    frame_bytes(b->b + b->n, have, k);
    b->n += have;
}

static const char *put_file(const char *name, const struct buf *b)
{
    static char path[8][512];
    static int slot;
    char *p = path[slot++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    if (b->n)
        assert_int_equal(fwrite(b->b, 1, b->n, f), b->n);
    fclose(f);
    return p;
}

/* ---- checks ---- */

static void one_line_naming(const char *err, const char *path, const char *also)
{
    if (!strstr(err, path))
        fail_msg("error '%s' does not name the file %s", err, path);
    if (strchr(err, '\n'))
        fail_msg("error '%s' is not one line", err);
    if (also && !strstr(err, also))
        fail_msg("error '%s' lacks '%s'", err, also);
}

static void open_fails(const char *path, const char *also)
{
    struct pcapin *in = NULL;
    char err[512] = "";
    assert_int_equal(pcapin_open(path, &in, err, sizeof(err)), -1);
    one_line_naming(err, path, also);
}

/* Opens, reads `good` records, then expects the next one to fail. */
static void record_fails(const char *path, unsigned good, const char *also)
{
    struct pcapin *in = NULL;
    char err[512] = "";
    if (pcapin_open(path, &in, err, sizeof(err)))
        fail_msg("open failed: %s", err);
    const uint8_t *d;
    uint32_t cap, len;
    uint64_t ts;
    for (unsigned i = 0; i < good; i++)
        if (pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)) != 1)
            fail_msg("record %u should read: %s", i + 1, err);
    err[0] = 0;
    int rc = pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err));
    if (rc != -1)
        fail_msg("record %u: pcapin_next returned %d, want -1 (err '%s', caplen %u len %u)",
                 good + 1, rc, err, cap, len);
    one_line_naming(err, path, also);
    char rec[32];
    snprintf(rec, sizeof(rec), "record %u", good + 1);
    if (!strstr(err, rec))
        fail_msg("error '%s' does not name %s", err, rec);
    pcapin_close(in);
}

/* ---- timestamps ---- */

static void test_pcapio_ns_timestamps(void **state)
{
    /* seconds, nanoseconds, length */
    static const struct {
        uint32_t s, ns, len;
    } r[] = { { 1, 1, 60 }, { 1, 2, 61 }, { 1, 2, 1514 }, { 1, 500000000, 14 },
              { 2, 999999999, 100 }, { 2147483647u, 123456789, 64 } };
    struct buf b = { .n = 0 };
    pcap_hdr(&b, MAGIC_NS, 65535, 1, 0);
    for (unsigned k = 0; k < 6; k++)
        pcap_rec(&b, r[k].s, r[k].ns, r[k].len, r[k].len, r[k].len, k, 0);
    const char *p = put_file("ns.pcap", &b);

    struct pcapin *in;
    char err[512];
    if (pcapin_open(p, &in, err, sizeof(err)))
        fail_msg("%s", err);
    for (unsigned k = 0; k < 6; k++) {
        const uint8_t *d;
        uint32_t cap, len;
        uint64_t ts;
        if (pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)) != 1)
            fail_msg("record %u: %s", k + 1, err);
        assert_int_equal(ts, (uint64_t)r[k].s * 1000000000ull + r[k].ns);
        assert_int_equal(cap, r[k].len);
        assert_int_equal(len, r[k].len);
        uint8_t want[2048];
        frame_bytes(want, r[k].len, k);
        assert_memory_equal(d, want, r[k].len);
    }
    const uint8_t *d;
    uint32_t cap, len;
    uint64_t ts;
    assert_int_equal(pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)), 0);
    assert_int_equal(pcapin_records(in), 6);
    /* rewinding starts over, with the same timestamps */
    assert_int_equal(pcapin_rewind(in, err, sizeof(err)), 0);
    assert_int_equal(pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)), 1);
    assert_int_equal(ts, 1000000001ull);
    pcapin_close(in);
}

/* The pcap format's seconds field is unsigned 32-bit: a capture from after
 * 2038-01-19 (2^31 s) is valid and its time is to be read as such. */
static void test_pcapio_ts_after_2038(void **state)
{
    struct buf b = { .n = 0 };
    pcap_hdr(&b, MAGIC_NS, 65535, 1, 0);
    pcap_rec(&b, 2147483648u, 5, 60, 60, 60, 0, 0);
    pcap_rec(&b, 4000000000u, 123456789, 60, 60, 60, 1, 0);
    const char *p = put_file("y2038.pcap", &b);
    struct pcapin *in;
    char err[512];
    if (pcapin_open(p, &in, err, sizeof(err)))
        fail_msg("%s", err);
    const uint8_t *d;
    uint32_t cap, len;
    uint64_t ts;
    if (pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)) != 1)
        fail_msg("record 1: %s", err);
    assert_int_equal(ts, 2147483648ull * 1000000000ull + 5);
    if (pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)) != 1)
        fail_msg("record 2: %s", err);
    assert_int_equal(ts, 4000000000ull * 1000000000ull + 123456789);
    pcapin_close(in);
}

static void test_pcapio_us_timestamps(void **state)
{
    for (int be = 0; be < 2; be++) {
        struct buf b = { .n = 0 };
        pcap_hdr(&b, MAGIC_US, 65535, 1, be);
        pcap_rec(&b, 7, 1, 60, 60, 60, 0, be);
        pcap_rec(&b, 7, 999999, 60, 60, 60, 1, be);
        pcap_rec(&b, 8, 500000, 60, 60, 60, 2, be);
        const char *p = put_file(be ? "us-be.pcap" : "us.pcap", &b);
        static const uint64_t want[] = { 7000001000ull, 7999999000ull, 8500000000ull };
        struct pcapin *in;
        char err[512];
        if (pcapin_open(p, &in, err, sizeof(err)))
            fail_msg("%s", err);
        for (unsigned k = 0; k < 3; k++) {
            const uint8_t *d;
            uint32_t cap, len;
            uint64_t ts;
            assert_int_equal(pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)), 1);
            assert_int_equal(ts, want[k]);
            uint8_t f[60];
            frame_bytes(f, 60, k);
            assert_memory_equal(d, f, 60);
        }
        pcapin_close(in);
    }
}

/* pcapng with the default timestamp resolution (microseconds) and with
 * if_tsresol = 9 (nanoseconds). */
static void pcapng_file(struct buf *b, int nsres)
{
    /* Section Header Block */
    u32le(b, 0x0A0D0D0A);
    u32le(b, 28);
    u32le(b, 0x1A2B3C4D);
    u16le(b, 1);
    u16le(b, 0);
    u32le(b, 0xFFFFFFFF);
    u32le(b, 0xFFFFFFFF);
    u32le(b, 28);
    /* Interface Description Block: Ethernet, snaplen 65535 */
    uint32_t idb = nsres ? 20 + 12 : 20;
    u32le(b, 1);
    u32le(b, idb);
    u16le(b, 1);
    u16le(b, 0);
    u32le(b, 65535);
    if (nsres) {
        u16le(b, 9); /* if_tsresol */
        u16le(b, 1);
        b->b[b->n++] = 9;
        b->b[b->n++] = 0;
        b->b[b->n++] = 0;
        b->b[b->n++] = 0;
        u32le(b, 0); /* opt_endofopt */
    }
    u32le(b, idb);
    /* Enhanced Packet Blocks */
    static const uint64_t units[] = { 1000000123ull, 1000000124ull, 3000000000ull };
    for (unsigned k = 0; k < 3; k++) {
        uint32_t len = 60 + k;
        uint32_t pad = (4 - len % 4) % 4;
        uint32_t blen = 32 + len + pad;
        u32le(b, 6);
        u32le(b, blen);
        u32le(b, 0);
        u32le(b, (uint32_t)(units[k] >> 32));
        u32le(b, (uint32_t)units[k]);
        u32le(b, len);
        u32le(b, len);
        frame_bytes(b->b + b->n, len, k);
        b->n += len;
        for (uint32_t i = 0; i < pad; i++)
            b->b[b->n++] = 0;
        u32le(b, blen);
    }
}

static void test_pcapio_pcapng(void **state)
{
    for (int nsres = 0; nsres < 2; nsres++) {
        struct buf b = { .n = 0 };
        pcapng_file(&b, nsres);
        const char *p = put_file(nsres ? "ns.pcapng" : "us.pcapng", &b);
        static const uint64_t units[] = { 1000000123ull, 1000000124ull, 3000000000ull };
        struct pcapin *in;
        char err[512];
        if (pcapin_open(p, &in, err, sizeof(err)))
            fail_msg("%s", err);
        for (unsigned k = 0; k < 3; k++) {
            const uint8_t *d;
            uint32_t cap, len;
            uint64_t ts;
            if (pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)) != 1)
                fail_msg("%s", err);
            assert_int_equal(ts, nsres ? units[k] : units[k] * 1000);
            assert_int_equal(cap, 60 + k);
            uint8_t f[64];
            frame_bytes(f, 60 + k, k);
            assert_memory_equal(d, f, 60 + k);
        }
        pcapin_close(in);
    }
}

/* A frame captured shorter than it was: returned as captured, len tells. */
static void test_pcapio_short_capture(void **state)
{
    struct buf b = { .n = 0 };
    pcap_hdr(&b, MAGIC_NS, 96, 1, 0);
    pcap_rec(&b, 1, 0, 96, 1514, 96, 0, 0);
    const char *p = put_file("snap96.pcap", &b);
    struct pcapin *in;
    char err[512];
    if (pcapin_open(p, &in, err, sizeof(err)))
        fail_msg("%s", err);
    const uint8_t *d;
    uint32_t cap, len;
    uint64_t ts;
    assert_int_equal(pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)), 1);
    assert_int_equal(cap, 96);
    assert_int_equal(len, 1514);
    pcapin_close(in);
}

/* ---- bad inputs ---- */

static void test_pcapio_missing_and_empty(void **state)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/does-not-exist.pcap", tmpdir);
    open_fails(p, NULL);
    struct buf b = { .n = 0 };
    open_fails(put_file("empty.pcap", &b), "empty");
}

static void test_pcapio_truncated_header(void **state)
{
    struct buf b = { .n = 0 };
    pcap_hdr(&b, MAGIC_NS, 65535, 1, 0);
    b.n = 10;
    open_fails(put_file("hdr10.pcap", &b), NULL);
    /* not a pcap at all */
    struct buf t = { .n = 0 };
    memcpy(t.b, "hello, this is not a capture file\n", 34);
    t.n = 34;
    open_fails(put_file("text.pcap", &t), NULL);
}

static void test_pcapio_truncated_record(void **state)
{
    struct buf b = { .n = 0 };
    pcap_hdr(&b, MAGIC_NS, 65535, 1, 0);
    pcap_rec(&b, 1, 0, 60, 60, 60, 0, 0);
    pcap_rec(&b, 1, 10, 60, 60, 20, 1, 0); /* 40 bytes of data missing */
    record_fails(put_file("trunc-data.pcap", &b), 1, NULL);
    /* a record header cut short */
    struct buf h = { .n = 0 };
    pcap_hdr(&h, MAGIC_NS, 65535, 1, 0);
    pcap_rec(&h, 1, 0, 60, 60, 60, 0, 0);
    pcap_rec(&h, 1, 0, 60, 60, 60, 1, 0);
    u32le(&h, 2);
    u32le(&h, 0);
    record_fails(put_file("trunc-hdr.pcap", &h), 2, NULL);
}

static void test_pcapio_caplen_over_snaplen(void **state)
{
    struct buf b = { .n = 0 };
    pcap_hdr(&b, MAGIC_NS, 128, 1, 0);
    pcap_rec(&b, 1, 0, 100, 100, 100, 0, 0);
    pcap_rec(&b, 1, 1, 200, 200, 200, 1, 0);
    record_fails(put_file("over-snap.pcap", &b), 1, "snapshot");
}

static void test_pcapio_caplen_over_len(void **state)
{
    struct buf b = { .n = 0 };
    pcap_hdr(&b, MAGIC_NS, 65535, 1, 0);
    pcap_rec(&b, 1, 0, 60, 60, 60, 0, 0);
    pcap_rec(&b, 1, 1, 60, 50, 60, 1, 0);
    record_fails(put_file("cap-over-len.pcap", &b), 1, NULL);
}

static void test_pcapio_not_ethernet(void **state)
{
    struct buf b = { .n = 0 };
    pcap_hdr(&b, MAGIC_NS, 65535, 101, 0); /* DLT_RAW (LINKTYPE_RAW) */
    pcap_rec(&b, 1, 0, 40, 40, 40, 0, 0);
    open_fails(put_file("raw-ip.pcap", &b), "Ethernet");
}

static void test_pcapio_backwards(void **state)
{
    struct buf b = { .n = 0 };
    pcap_hdr(&b, MAGIC_NS, 65535, 1, 0);
    pcap_rec(&b, 5, 100, 60, 60, 60, 0, 0);
    pcap_rec(&b, 5, 100, 60, 60, 60, 1, 0); /* equal: fine */
    pcap_rec(&b, 5, 99, 60, 60, 60, 2, 0);  /* 1 ns earlier */
    record_fails(put_file("backwards.pcap", &b), 2, "backwards");
    /* also across the seconds field */
    struct buf c = { .n = 0 };
    pcap_hdr(&c, MAGIC_US, 65535, 1, 0);
    pcap_rec(&c, 6, 0, 60, 60, 60, 0, 0);
    pcap_rec(&c, 5, 999999, 60, 60, 60, 1, 0);
    record_fails(put_file("backwards-us.pcap", &c), 1, "backwards");
}

/* ---- output ---- */

static void test_pcapio_out_roundtrip(void **state)
{
    char p[512], err[512];
    snprintf(p, sizeof(p), "%s/out.pcap", tmpdir);
    struct pcapout *o;
    if (pcapout_open(p, &o, err, sizeof(err)))
        fail_msg("%s", err);
    /* picoseconds: sub-nanosecond parts are dropped (truncated) */
    static const uint64_t t_ps[] = { 0, 999, 1000, 1000000000001ull, 1000000000999ull,
                                     86400000000000000ull + 123456789012ull };
    static const uint32_t lens[] = { 60, 14, 1514, 9000, 61, 64 };
    static uint8_t f[9000];
    for (unsigned k = 0; k < 6; k++) {
        frame_bytes(f, lens[k], k);
        assert_int_equal(pcapout_write(o, f, lens[k], t_ps[k]), 0);
    }
    assert_int_equal(pcapout_close(o, err, sizeof(err)), 0);

    /* the header: nanosecond magic, version 2.4, snaplen 65535, Ethernet */
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    uint8_t h[24];
    assert_int_equal(fread(h, 1, 24, fp), 24);
    fclose(fp);
    assert_int_equal(h[0] | h[1] << 8 | h[2] << 16 | (uint32_t)h[3] << 24, MAGIC_NS);
    assert_int_equal(h[4] | h[5] << 8, 2);
    assert_int_equal(h[6] | h[7] << 8, 4);
    assert_int_equal(h[16] | h[17] << 8 | h[18] << 16 | (uint32_t)h[19] << 24, 65535);
    assert_int_equal(h[20] | h[21] << 8 | h[22] << 16 | (uint32_t)h[23] << 24, 1);

    struct pcapin *in;
    if (pcapin_open(p, &in, err, sizeof(err)))
        fail_msg("%s", err);
    for (unsigned k = 0; k < 6; k++) {
        const uint8_t *d;
        uint32_t cap, len;
        uint64_t ts;
        if (pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)) != 1)
            fail_msg("record %u: %s", k + 1, err);
        assert_int_equal(ts, t_ps[k] / 1000);
        assert_int_equal(cap, lens[k]);
        assert_int_equal(len, lens[k]);
        frame_bytes(f, lens[k], k);
        assert_memory_equal(d, f, lens[k]);
    }
    const uint8_t *d;
    uint32_t cap, len;
    uint64_t ts;
    assert_int_equal(pcapin_next(in, &d, &cap, &len, &ts, err, sizeof(err)), 0);
    pcapin_close(in);
}

static void test_pcapio_out_unwritable(void **state)
{
    char p[512], err[512] = "";
    snprintf(p, sizeof(p), "%s/no-such-dir/out.pcap", tmpdir);
    struct pcapout *o = NULL;
    assert_int_equal(pcapout_open(p, &o, err, sizeof(err)), -1);
    one_line_naming(err, p, NULL);
}

static int setup_dir(void **state)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/e1k-pcapio-XXXXXX", t && t[0] ? t : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcapio_ns_timestamps),
        cmocka_unit_test(test_pcapio_ts_after_2038),
        cmocka_unit_test(test_pcapio_us_timestamps),
        cmocka_unit_test(test_pcapio_pcapng),
        cmocka_unit_test(test_pcapio_short_capture),
        cmocka_unit_test(test_pcapio_missing_and_empty),
        cmocka_unit_test(test_pcapio_truncated_header),
        cmocka_unit_test(test_pcapio_truncated_record),
        cmocka_unit_test(test_pcapio_caplen_over_snaplen),
        cmocka_unit_test(test_pcapio_caplen_over_len),
        cmocka_unit_test(test_pcapio_not_ethernet),
        cmocka_unit_test(test_pcapio_backwards),
        cmocka_unit_test(test_pcapio_out_roundtrip),
        cmocka_unit_test(test_pcapio_out_unwritable),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
