/* QEMU trace-event log -> register trace. Log format: traces/qemu/FORMAT.md;
 * trace format: docs/trace-format.md.
 *
 * One pass over the log, after a light pre-pass that finds the e1000's
 * Interrupt Line (cfg 0x3c, the I/O APIC pin to follow) and the last
 * fwcfg.dma line (SeaBIOS before it, Linux after it). The output is built in
 * memory and written only when the whole log converted. */
#include "qemu_import.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "e1k/e1k.h"
#include "sbuf.h"

#define QI_IO_REGION 0x40u /* QEMU's e1000-io region (the 82540 decodes 8 bytes of it) */
#define QI_MARK_MAX 128    /* longest marker line kept; the rest is dropped */
#define QI_MAX_TOK 16
#define QI_NBARS 7 /* BAR 0-5 and the ROM (6) */
#define QI_DEFAULT_PIN 11
#define QI_NAME_MAX 200             /* log name as shown in the header */
#define QI_MAX_GAP_US 3600000000ull /* a longer gap is a clock jump, not a wait */

/* ---- lines, prefixes, numbers ---- */

struct lineit {
    const char *text;
    size_t len, pos;
    unsigned no;
};

/* 1: the next line is [*s, *s + *n) (no '\n', no trailing '\r'); 0: end of
 * text; -1: the line is longer than QIMPORT_MAX_LINE. */
static int next_line(struct lineit *it, const char **s, size_t *n)
{
    if (it->pos >= it->len)
        return 0;
    const char *start = it->text + it->pos;
    const char *nl = memchr(start, '\n', it->len - it->pos);
    size_t ll = nl ? (size_t)(nl - start) : it->len - it->pos;
    it->pos += ll + (nl ? 1 : 0);
    it->no++;
    if (ll && start[ll - 1] == '\r')
        ll--;
    *s = start;
    *n = ll;
    return ll > QIMPORT_MAX_LINE ? -1 : 1;
}

struct qline {
    const char *ev; /* event name; "" when the line is no trace event */
    char *args;     /* its arguments, "" when none */
    int has_ts;     /* a well-formed pid@sec.usec: prefix */
    int ts_bad;     /* a pid@ prefix that is malformed */
    uint64_t ts_ns;
};

/* Split `buf` (NUL-terminated, modified) into the optional prefix, the event
 * name and the arguments. */
static void parse_prefix(char *buf, struct qline *q)
{
    memset(q, 0, sizeof(*q));
    q->ev = "";
    q->args = buf + strlen(buf);
    char *p = buf;
    if (isdigit((unsigned char)*p)) {
        char *d = p;
        while (isdigit((unsigned char)*d))
            d++;
        if (*d == '@') {
            char *t = d + 1, *sec = t;
            while (isdigit((unsigned char)*t))
                t++;
            size_t nsec = (size_t)(t - sec);
            int ok = nsec >= 1 && nsec <= 12 && *t == '.';
            uint64_t ns = 0;
            if (ok) {
                for (char *k = sec; k < sec + nsec; k++)
                    ns = ns * 10 + (uint64_t)(*k - '0');
                ns *= 1000000000u;
                char *f = ++t;
                uint64_t frac = 0;
                while (isdigit((unsigned char)*t) && t - f < 9)
                    frac = frac * 10 + (uint64_t)(*t++ - '0');
                size_t nf = (size_t)(t - f);
                ok = nf >= 1 && *t == ':';
                for (size_t k = nf; k < 9; k++)
                    frac *= 10;
                ns += frac;
            }
            if (ok) {
                q->has_ts = 1;
                q->ts_ns = ns;
                p = t + 1;
            } else {
                q->ts_bad = 1;
                char *colon = strchr(d, ':');
                if (!colon)
                    return;
                p = colon + 1;
            }
        }
    }
    char *e = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    if (p == e || (*p && *p != ' '))
        return; /* not a trace event (e.g. a QEMU warning) */
    if (*p)
        *p++ = 0;
    q->ev = e;
    q->args = p;
}

/* Strict unsigned number: 0x-hex or decimal, the whole token. */
static int parse_u64(const char *s, uint64_t *v)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -1;
    for (const char *k = s; *k; k++)
        if (base == 16 ? !isxdigit((unsigned char)*k) : !isdigit((unsigned char)*k))
            return -1;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(s, &end, base);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

/* Split on blanks; -1 when there are more than `max` tokens. */
static int split(char *s, char **tok, int max)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            return n;
        if (n == max)
            return -1;
        tok[n++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if (*s)
            *s++ = 0;
    }
}

/* memory_region_ops_*: cut "name '<region>'" off `args`; the region, or NULL. */
static char *mrop_region(char *args)
{
    char *p = strstr(args, "name '");
    while (p && p != args && p[-1] != ' ')
        p = strstr(p + 1, "name '");
    if (!p)
        return NULL;
    char *r = p + 6;
    size_t n = strlen(r);
    if (!n || r[n - 1] != '\'')
        return NULL;
    r[n - 1] = 0;
    *p = 0;
    return r;
}

struct mrop {
    uint64_t addr, value, size;
};

/* The "cpu N mr P addr A value V size S" fields: 0, or -1 with a reason. */
static int mrop_fields(char *args, struct mrop *m, char *why, size_t whylen)
{
    char *tok[QI_MAX_TOK];
    int n = split(args, tok, QI_MAX_TOK);
    if (n < 0)
        return snprintf(why, whylen, "too many fields"), -1;
    if (n % 2)
        return snprintf(why, whylen, "field '%s' has no value", tok[n - 1]), -1;
    static const char *const keys[] = {"addr", "value", "size"};
    uint64_t *dst[] = {&m->addr, &m->value, &m->size};
    unsigned have = 0;
    for (int i = 0; i < n; i += 2) {
        if (!strcmp(tok[i], "cpu") || !strcmp(tok[i], "mr"))
            continue;
        int k = 0;
        while (k < 3 && strcmp(tok[i], keys[k]))
            k++;
        if (k == 3)
            return snprintf(why, whylen, "unexpected field '%.40s'", tok[i]), -1;
        if (have & (1u << k))
            return snprintf(why, whylen, "'%s' given twice", keys[k]), -1;
        if (parse_u64(tok[i + 1], dst[k]))
            return snprintf(why, whylen, "bad %s '%.40s'", keys[k], tok[i + 1]), -1;
        have |= 1u << k;
    }
    for (int k = 0; k < 3; k++)
        if (!(have & (1u << k)))
            return snprintf(why, whylen, "no '%s' field", keys[k]), -1;
    return 0;
}

static int is_e1000_dev(const char *s)
{
    return !strcmp(s, "e1000") || !strncmp(s, "e1000-", 6);
}

static uint64_t width_max(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static int valid_size(uint64_t s)
{
    return s == 1 || s == 2 || s == 4;
}

/* The trace name of memory-BAR offset `off`: "CTRL", "RAL[0]", "CTRL+2", or hex. */
static void mem_target(uint32_t off, char *buf, size_t n)
{
    unsigned idx;
    const struct e1k_reg_info *e = e1k_reg_lookup(off, &idx);
    if (e) {
        uint32_t start = e->offset + (uint32_t)idx * e->stride, back;
        char nm[64];
        e1k_reg_name(start, nm, sizeof(nm));
        if (off - start <= 3 && !e1k_reg_parse(nm, &back) && back == start) {
            if (off == start)
                snprintf(buf, n, "%s", nm);
            else
                snprintf(buf, n, "%s+%u", nm, (unsigned)(off - start));
            return;
        }
    }
    snprintf(buf, n, "0x%05x", (unsigned)off);
}

/* Printable, and harmless in a comment or a [section]. */
static void sanitize(char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e || *s == '#' || *s == '[' || *s == ']')
            *s = '_';
}

/* ---- the converter ---- */

struct bar {
    int known;
    uint64_t base, size;
};

struct conv {
    const char *name;
    const struct qimport_opts *o;
    struct qimport_stats *st;
    char *err;
    size_t errlen;
    struct sbuf out;
    struct lineit it;
    unsigned line;
    struct qline q;
    char *peekbuf;
    /* the e1000 being followed: the first one in a pci_cfg/pci_update line */
    char bdf[32];
    int have_dev;
    struct bar bars[QI_NBARS];
    int io_bar;
    uint32_t ioaddr;
    int ioaddr_known;
    char mark[QI_MARK_MAX];
    size_t mark_len;
    const char *implicit; /* section to write before the next item, or NULL */
    int in_markers;
    unsigned fwcfg_line;
    int have_time;
    uint64_t last_ns, prev_ns;
    int pin;
    /* pci-conf-data partners of pci_cfg_* */
    unsigned confw_line;
    uint64_t confw_addr, confw_size;
    unsigned consumed_line;
    size_t conf_lines, conf_paired;
    /* Microwire EEPROM reads decoded from EECD bit-banging, so the replay can
     * carry the image QEMU's device had. */
    struct {
        int sk, reading, sample_pending;
        unsigned nin, nout, addr;
        uint32_t cmd;
        uint16_t word;
    } mw;
    uint16_t ee[64];
    uint8_t ee_known[64];
    int rev_known;
    unsigned rev;
};

#define QI_EECD 0x10u

/* Follow the Microwire protocol on the EECD pins (SDM 5.3; 93C46): with CS
 * high, DI is sampled on SK rising edges: start bit 1, opcode, six address
 * bits. For READ (110b) each later rising edge presents the next data bit,
 * which the driver samples by reading EECD.DO; 16 bits make a word, and
 * reading on continues with the next address. */
static void mw_access(struct conv *c, int is_write, uint32_t v)
{
    if (!is_write) {
        if (c->mw.reading && c->mw.sample_pending) {
            c->mw.sample_pending = 0;
            c->mw.word = (uint16_t)(c->mw.word << 1 | ((v >> 3) & 1));
            if (++c->mw.nout == 16) {
                c->ee[c->mw.addr] = c->mw.word;
                c->ee_known[c->mw.addr] = 1;
                c->mw.addr = (c->mw.addr + 1) & 63;
                c->mw.nout = 0;
                c->mw.word = 0;
            }
        }
        return;
    }
    int cs = (v >> 1) & 1, sk = v & 1, di = (v >> 2) & 1;
    if (!cs) {
        memset(&c->mw, 0, sizeof(c->mw));
        return;
    }
    if (sk && !c->mw.sk) {
        if (c->mw.reading) {
            c->mw.sample_pending = 1;
        } else if (c->mw.nin < 9) {
            if (c->mw.nin == 0 && !di) {
                /* leading zeros before the start bit */
            } else {
                c->mw.cmd = c->mw.cmd << 1 | (uint32_t)di;
                if (++c->mw.nin == 9 && (c->mw.cmd >> 6) == 6) {
                    c->mw.reading = 1;
                    c->mw.addr = c->mw.cmd & 63;
                }
            }
        }
    }
    c->mw.sk = sk;
}

static int failf(struct conv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int failf(struct conv *c, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        int n = snprintf(c->err, c->errlen, "%s:%u: ", c->name, c->line);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < c->errlen)
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A line that matters must have a sane prefix (or none). */
static int check_ts(struct conv *c)
{
    if (c->q.ts_bad)
        return failf(c, "malformed 'PID@SEC.USEC:' prefix");
    return 0;
}

static void flush_section(struct conv *c)
{
    if (!c->implicit)
        return;
    sb_printf(&c->out, "\n[%s]\n", c->implicit);
    c->st->sections++;
    c->implicit = NULL;
}

/* Before each item: a pending section, then a wait for a gap >= 1 ms. */
/* Simulated time follows the capture: `last_ns` is the time the trace has
 * reached with its waits; gaps under 1 ms accumulate until they add up to
 * one, so the replay's clock never drifts behind the log's. */
static void begin_item(struct conv *c)
{
    flush_section(c);
    if (!c->q.has_ts)
        return;
    if (!c->have_time) {
        c->have_time = 1;
        c->last_ns = c->prev_ns = c->q.ts_ns;
        return;
    }
    if (c->q.ts_ns < c->prev_ns)
        c->st->backwards++;
    c->prev_ns = c->q.ts_ns;
    if (c->q.ts_ns <= c->last_ns)
        return;
    uint64_t us = (c->q.ts_ns - c->last_ns) / 1000;
    if (us > QI_MAX_GAP_US) {
        c->st->time_jumps++;
        c->last_ns = c->q.ts_ns;
    } else if (us >= 1000) {
        if (us % 1000 == 0)
            sb_printf(&c->out, "wait %llums\n", (unsigned long long)(us / 1000));
        else
            sb_printf(&c->out, "wait %lluus\n", (unsigned long long)us);
        c->st->waits++;
        c->last_ns += us * 1000;
    }
}

/* The first e1000 named in a pci_cfg / pci_update line is the one followed. */
static int dev_match(struct conv *c, const char *bdf)
{
    if (!c->have_dev) {
        snprintf(c->bdf, sizeof(c->bdf), "%s", bdf);
        c->have_dev = 1;
    }
    return !strcmp(c->bdf, bdf);
}

static void emit_unreplayable(struct conv *c, const char *space, int is_write, unsigned size,
                              uint64_t off, uint64_t value, const char *why)
{
    begin_item(c);
    sb_printf(&c->out, "# %s %c%u 0x%llx 0x%llx: %s, not replayable\n", space, is_write ? 'w' : 'r',
              8 * size, (unsigned long long)off, (unsigned long long)value, why);
    c->st->unreplayable++;
}

static int do_mmio(struct conv *c, int is_write, const struct mrop *m)
{
    unsigned size = (unsigned)m->size;
    uint64_t off;
    const struct bar *b = &c->bars[0];
    if (b->known) {
        if (m->addr < b->base || m->addr - b->base >= b->size)
            return failf(c, "e1000-mmio address 0x%llx is outside BAR0 (0x%llx+0x%llx)",
                         (unsigned long long)m->addr, (unsigned long long)b->base,
                         (unsigned long long)b->size);
        off = m->addr - b->base;
    } else if (m->addr < E1K_MMIO_SIZE) {
        off = m->addr; /* no mapping seen: already an offset */
    } else {
        return failf(c,
                     "e1000-mmio address 0x%llx but no pci_update_mappings_add for BAR0 before "
                     "this line",
                     (unsigned long long)m->addr);
    }
    if (is_write)
        c->st->mmio_writes++;
    else
        c->st->mmio_reads++;
    if (off + size > E1K_MMIO_SIZE) {
        emit_unreplayable(c, "mem", is_write, size, off, m->value,
                          "past the 128 KiB register window");
        return 0;
    }
    if (off == QI_EECD && size == 4)
        mw_access(c, is_write, (uint32_t)m->value);
    char tgt[80];
    mem_target((uint32_t)off, tgt, sizeof(tgt));
    begin_item(c);
    sb_printf(&c->out, "mem %c%u %s 0x%0*llx\n", is_write ? 'w' : 'r', 8 * size, tgt,
              (int)(2 * size), (unsigned long long)m->value);
    return 0;
}

static int do_io(struct conv *c, int is_write, const struct mrop *m)
{
    unsigned size = (unsigned)m->size;
    uint64_t off;
    int b = -1;
    if (c->io_bar >= 0) {
        const struct bar *ib = &c->bars[c->io_bar];
        if (m->addr < ib->base || m->addr - ib->base >= ib->size)
            return failf(c, "e1000-io address 0x%llx is outside the I/O BAR (BAR%d, 0x%llx+0x%llx)",
                         (unsigned long long)m->addr, c->io_bar, (unsigned long long)ib->base,
                         (unsigned long long)ib->size);
        b = c->io_bar;
    } else {
        for (int i = 1; i < QI_NBARS && b < 0; i++) {
            const struct bar *ib = &c->bars[i];
            if (ib->known && m->addr >= ib->base && m->addr - ib->base < ib->size)
                b = i;
        }
    }
    if (b >= 0) {
        c->io_bar = b;
        off = m->addr - c->bars[b].base;
    } else if (m->addr < QI_IO_REGION) {
        off = m->addr;
    } else {
        return failf(c,
                     "e1000-io address 0x%llx is in no BAR of the e1000 "
                     "(no pci_update_mappings_add maps it before this line)",
                     (unsigned long long)m->addr);
    }
    if (is_write)
        c->st->io_writes++;
    else
        c->st->io_reads++;
    if (off + size > E1K_IO_SIZE) {
        emit_unreplayable(c, "io", is_write, size, off, m->value,
                          "outside the 82540EM's 8-byte I/O window");
        return 0;
    }
    char tgt[16];
    if (off == 0)
        snprintf(tgt, sizeof(tgt), "IOADDR");
    else if (off == 4)
        snprintf(tgt, sizeof(tgt), "IODATA");
    else
        snprintf(tgt, sizeof(tgt), "0x%x", (unsigned)off);
    begin_item(c);
    sb_printf(&c->out, "io %c%u %s 0x%0*llx", is_write ? 'w' : 'r', 8 * size, tgt, (int)(2 * size),
              (unsigned long long)m->value);
    if (off == 4 && size == 4 && c->ioaddr_known && (c->ioaddr & ~3u) == QI_EECD)
        mw_access(c, is_write, (uint32_t)m->value);
    if (off >= 4) {
        if (!c->ioaddr_known) {
            sb_printf(&c->out, "  # IOADDR not written yet\n");
        } else {
            uint64_t reg = (uint64_t)c->ioaddr + (off - 4);
            char nm[80];
            if (reg + size <= E1K_MMIO_SIZE)
                mem_target((uint32_t)reg, nm, sizeof(nm));
            else
                snprintf(nm, sizeof(nm), "0x%llx (past the registers)", (unsigned long long)reg);
            sb_printf(&c->out, "  # %s via I/O window\n", nm);
        }
    } else {
        sb_printf(&c->out, "\n");
        if (is_write) {
            uint32_t sh = 8 * (uint32_t)off;
            uint32_t mask = (uint32_t)width_max(size) << sh;
            c->ioaddr = (c->ioaddr & ~mask) | (((uint32_t)m->value << sh) & mask);
            c->ioaddr_known = 1;
        }
    }
    return 0;
}

static void finish_marker(struct conv *c)
{
    char *s = c->mark;
    size_t n = c->mark_len;
    c->mark_len = 0;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\t'))
        n--;
    s[n] = 0;
    sanitize(s);
    if (!strncmp(s, "MARK ", 5)) {
        char *name = s + 5;
        while (*name == ' ')
            name++;
        if (*name) {
            sb_printf(&c->out, "\n[%s]\n", name);
            c->st->sections++;
            c->st->markers++;
            c->implicit = NULL;
            c->in_markers = 1;
            return;
        }
    }
    if (n) {
        flush_section(c);
        sb_printf(&c->out, "# debugcon: %s\n", s);
    }
}

static int do_debugcon(struct conv *c, int is_write, const struct mrop *m)
{
    if (!is_write) {
        c->st->skipped++;
        return 0;
    }
    unsigned char ch = (unsigned char)(m->value & 0xff);
    if (ch == '\n')
        finish_marker(c);
    else if (c->mark_len < QI_MARK_MAX - 1)
        c->mark[c->mark_len++] = (char)ch;
    return 0;
}

/* The size of a pci_cfg_* access from its pci-conf-data partner; 0 when absent. */
static unsigned cfg_partner_size(struct conv *c, int is_write, uint64_t off)
{
    uint64_t want = 0xcfc + (off & 3);
    if (is_write) {
        if (c->confw_line && c->confw_line + 1 == c->line && c->confw_addr == want &&
            valid_size(c->confw_size)) {
            c->confw_line = 0;
            c->conf_paired++;
            return (unsigned)c->confw_size;
        }
        return 0;
    }
    struct lineit pk = c->it;
    const char *s;
    size_t n;
    if (next_line(&pk, &s, &n) != 1 || memchr(s, 0, n))
        return 0;
    memcpy(c->peekbuf, s, n);
    c->peekbuf[n] = 0;
    struct qline q;
    parse_prefix(c->peekbuf, &q);
    if (strcmp(q.ev, "memory_region_ops_read"))
        return 0;
    char *region = mrop_region(q.args);
    struct mrop m;
    char why[96];
    if (!region || strcmp(region, "pci-conf-data") || mrop_fields(q.args, &m, why, sizeof(why)) ||
        m.addr != want || !valid_size(m.size))
        return 0;
    c->consumed_line = pk.no;
    c->conf_paired++;
    return (unsigned)m.size;
}

static int do_mrop(struct conv *c, int is_write)
{
    const char *ev = c->q.ev;
    char *region = mrop_region(c->q.args);
    if (!region)
        return failf(c, "%s: no \"name '<region>'\" at the end", ev);
    enum { R_MMIO, R_IO, R_CONF, R_DEBUGCON, R_FWCFG, R_OTHER } r;
    if (!strcmp(region, "e1000-mmio"))
        r = R_MMIO;
    else if (!strcmp(region, "e1000-io"))
        r = R_IO;
    else if (!strcmp(region, "pci-conf-data"))
        r = R_CONF;
    else if (!strcmp(region, "isa-debugcon"))
        r = R_DEBUGCON;
    else if (!strcmp(region, "fwcfg.dma"))
        r = R_FWCFG;
    else
        r = R_OTHER;
    if (r == R_OTHER) {
        c->st->skipped++;
        return 0;
    }
    struct mrop m;
    char why[96];
    if (mrop_fields(c->q.args, &m, why, sizeof(why)))
        return failf(c, "%s of '%s': %s", ev, region, why);
    if (check_ts(c))
        return -1;
    switch (r) {
    case R_FWCFG:
        if (c->line == c->fwcfg_line && !c->in_markers)
            c->implicit = "kernel"; /* the firmware's Linux loader: SeaBIOS ends here */
        else
            c->st->skipped++;
        return 0;
    case R_DEBUGCON:
        return do_debugcon(c, is_write, &m);
    case R_CONF:
        c->conf_lines++;
        if (c->line != c->consumed_line && is_write) {
            c->confw_line = c->line;
            c->confw_addr = m.addr;
            c->confw_size = m.size;
        }
        return 0;
    default:
        break;
    }
    if (!valid_size(m.size))
        return failf(c, "%s of '%s': size %llu (want 1, 2 or 4)", ev, region,
                     (unsigned long long)m.size);
    if (m.value > width_max((unsigned)m.size))
        return failf(c, "%s of '%s': value 0x%llx does not fit in %llu bytes", ev, region,
                     (unsigned long long)m.value, (unsigned long long)m.size);
    return r == R_MMIO ? do_mmio(c, is_write, &m) : do_io(c, is_write, &m);
}

static int do_cfg(struct conv *c, int is_write)
{
    const char *ev = c->q.ev;
    char *tok[8];
    int n = split(c->q.args, tok, 8);
    if (n < 2)
        return failf(c, "%s: missing device and address", ev);
    if (!is_e1000_dev(tok[0]) || !dev_match(c, tok[1])) {
        c->st->skipped++;
        return 0;
    }
    const char *arrow = is_write ? "<-" : "->";
    uint64_t off, val;
    if (n != 5 || strcmp(tok[3], arrow))
        return failf(c, "%s: want '%s BB:SS.F @0xOFFSET %s 0xVALUE'", ev, tok[0], arrow);
    if (tok[2][0] != '@' || parse_u64(tok[2] + 1, &off) || off >= E1K_PCI_CFG_SIZE)
        return failf(c, "%s: bad config-space offset '%.40s'", ev, tok[2]);
    if (parse_u64(tok[4], &val))
        return failf(c, "%s: bad value '%.40s'", ev, tok[4]);
    if (check_ts(c))
        return -1;
    unsigned size = cfg_partner_size(c, is_write, off);
    int inferred = !size;
    if (inferred) {
        size = off % 4 == 0 ? 4 : off % 2 == 0 ? 2 : 1;
        c->st->cfg_sizes_inferred++;
    }
    if (off + size > E1K_PCI_CFG_SIZE)
        return failf(c, "%s: %u bytes at 0x%llx run past the config space", ev, size,
                     (unsigned long long)off);
    if (val > width_max(size))
        return failf(c, "%s: value 0x%llx does not fit in %u bytes%s", ev, (unsigned long long)val,
                     size, inferred ? " (size inferred: no pci-conf-data line next to it)" : "");
    if (is_write) {
        c->st->cfg_writes++;
    } else {
        c->st->cfg_reads++;
        if (!c->rev_known && off <= 8 && off + size > 8) {
            c->rev = (unsigned)(val >> (8 * (8 - off))) & 0xFF;
            c->rev_known = 1;
        }
    }
    begin_item(c);
    sb_printf(&c->out, "cfg %c%u 0x%02llx 0x%0*llx%s\n", is_write ? 'w' : 'r', 8 * size,
              (unsigned long long)off, (int)(2 * size), (unsigned long long)val,
              inferred ? "  # size inferred from the offset" : "");
    return 0;
}

static int do_mapping(struct conv *c, int add)
{
    const char *ev = c->q.ev;
    char *tok[8];
    int n = split(c->q.args, tok, 8);
    if (n < 2)
        return failf(c, "%s: missing device and address", ev);
    if (!is_e1000_dev(tok[0]) || !dev_match(c, tok[1])) {
        c->st->skipped++;
        return 0;
    }
    if (n != 3)
        return failf(c, "%s: want '%s BB:SS.F BAR,0xBASE+0xSIZE'", ev, tok[0]);
    char *comma = strchr(tok[2], ',');
    char *plus = comma ? strchr(comma, '+') : NULL;
    if (!comma || !plus)
        return failf(c, "%s: want BAR,0xBASE+0xSIZE, not '%.40s'", ev, tok[2]);
    *comma = 0;
    *plus = 0;
    uint64_t bar, base, size;
    if (parse_u64(tok[2], &bar) || bar >= QI_NBARS)
        return failf(c, "%s: bad BAR number '%.20s'", ev, tok[2]);
    if (parse_u64(comma + 1, &base) || parse_u64(plus + 1, &size) || !size ||
        base > UINT64_MAX - size)
        return failf(c, "%s: bad BAR%u base or size '%.30s+%.30s'", ev, (unsigned)bar, comma + 1,
                     plus + 1);
    if (check_ts(c))
        return -1;
    c->st->mappings++;
    if (!add)
        return 0; /* the most recent base stays the reference */
    struct bar *b = &c->bars[bar];
    if (!b->known || b->base != base || b->size != size) {
        flush_section(c);
        sb_printf(&c->out, "# BAR%u at 0x%llx, size 0x%llx\n", (unsigned)bar,
                  (unsigned long long)base, (unsigned long long)size);
    }
    b->known = 1;
    b->base = base;
    b->size = size;
    return 0;
}

static int do_ioapic(struct conv *c)
{
    char *tok[8];
    uint64_t pin, level;
    int n = split(c->q.args, tok, 8);
    if (n != 4 || strcmp(tok[0], "vector:") || strcmp(tok[2], "level:") ||
        parse_u64(tok[1], &pin) || parse_u64(tok[3], &level))
        return failf(c, "ioapic_set_irq: want 'vector: PIN level: 0|1'");
    if (pin != (uint64_t)c->pin) {
        c->st->skipped++;
        return 0;
    }
    if (level > 1)
        return failf(c, "ioapic_set_irq: level %llu (want 0 or 1)", (unsigned long long)level);
    if (check_ts(c))
        return -1;
    c->st->irq_events++;
    begin_item(c);
    if (c->o->irq)
        sb_printf(&c->out, "irq %u\n", (unsigned)level);
    else
        sb_printf(&c->out, "# irq %u (QEMU)\n", (unsigned)level);
    return 0;
}

/* Pre-pass: the e1000's Interrupt Line (first written value, else first read,
 * ignoring 0 and 0xff) and the last fwcfg.dma line. Malformed lines are left
 * to the main pass. */
static void prepass(struct conv *c, const char *text, size_t len, char *buf, int *irq_line)
{
    struct lineit it = {text, len, 0, 0};
    const char *s;
    size_t n;
    int r, wline = -1, rline = -1, have_dev = 0;
    char bdf[32] = "";
    while ((r = next_line(&it, &s, &n)) != 0) {
        if (r < 0 || memchr(s, 0, n))
            continue;
        memcpy(buf, s, n);
        buf[n] = 0;
        struct qline q;
        parse_prefix(buf, &q);
        if (!strncmp(q.ev, "memory_region_ops_", 18)) {
            char *region = mrop_region(q.args);
            if (region && !strcmp(region, "fwcfg.dma"))
                c->fwcfg_line = it.no;
            continue;
        }
        int is_cfg = !strcmp(q.ev, "pci_cfg_read") || !strcmp(q.ev, "pci_cfg_write");
        if (!is_cfg && strcmp(q.ev, "pci_update_mappings_add") &&
            strcmp(q.ev, "pci_update_mappings_del"))
            continue;
        char *tok[8];
        int nt = split(q.args, tok, 8);
        if (nt < 2 || !is_e1000_dev(tok[0]))
            continue;
        if (!have_dev) {
            snprintf(bdf, sizeof(bdf), "%s", tok[1]);
            have_dev = 1;
        }
        uint64_t off, v;
        if (!is_cfg || nt != 5 || strcmp(bdf, tok[1]) || tok[2][0] != '@' ||
            parse_u64(tok[2] + 1, &off) || off != 0x3c || parse_u64(tok[4], &v))
            continue;
        int line = (int)(v & 0xff);
        if (line == 0 || line == 0xff)
            continue;
        if (q.ev[8] == 'w' && wline < 0)
            wline = line;
        if (q.ev[8] == 'r' && rline < 0)
            rline = line;
    }
    *irq_line = wline >= 0 ? wline : rline;
}

int qimport_check_mac(const char *mac)
{
    if (!mac || strlen(mac) != 17)
        return -1;
    for (int i = 0; i < 17; i++) {
        if (i % 3 == 2 ? mac[i] != ':' : !isxdigit((unsigned char)mac[i]))
            return -1;
    }
    return 0;
}

static void header(struct sbuf *h, const char *name, const struct qimport_opts *o,
                   const struct qimport_stats *st)
{
    char nm[QI_NAME_MAX + 1];
    snprintf(nm, sizeof(nm), "%s", name);
    sanitize(nm);
    sb_printf(h, "# Converted by 'e1ksim import-qemu' from the QEMU trace-event log\n# %s\n", nm);
    sb_printf(
        h,
        "# %zu log lines: e1000-mmio %zu reads / %zu writes, e1000-io %zu reads / %zu writes,\n"
        "# cfg %zu reads / %zu writes (%zu sizes inferred), %zu BAR (un)mappings,\n"
        "# %zu ioapic events on pin %d (%s) as %s, %zu markers, %zu sections,\n"
        "# %zu waits, %zu backward timestamps, %zu clock jumps, %zu unreplayable,\n"
        "# %zu lines skipped.\n",
        st->lines, st->mmio_reads, st->mmio_writes, st->io_reads, st->io_writes, st->cfg_reads,
        st->cfg_writes, st->cfg_sizes_inferred, st->mappings, st->irq_events, st->irq_pin,
        st->irq_pin_from, o->irq ? "irq expectations" : "comments", st->markers, st->sections,
        st->waits, st->backwards, st->time_jumps, st->unreplayable, st->skipped);
    sb_printf(h, "option source qemu\noption timing functional\n");
    if (o->mac)
        sb_printf(h, "option mac %s\n", o->mac);
}

/* Convert into `hdr` + `body`. */
static int convert(const char *name, const char *text, size_t len, const struct qimport_opts *o,
                   struct qimport_stats *st, struct sbuf *hdr, struct sbuf *body, char *err,
                   size_t errlen)
{
    struct conv c;
    memset(&c, 0, sizeof(c));
    c.name = name ? name : "log";
    c.o = o;
    c.st = st;
    c.err = err;
    c.errlen = errlen;
    c.io_bar = -1;
    if (o->mac && qimport_check_mac(o->mac))
        return failf(&c, "--mac '%.40s' is not a MAC address like 52:54:00:12:34:56", o->mac);
    if (o->irq_pin < -1 || o->irq_pin > 255)
        return failf(&c, "--irq-pin %d is not an I/O APIC pin (0-255)", o->irq_pin);
    if (!text && len)
        return failf(&c, "no text");
    char *buf = malloc(QIMPORT_MAX_LINE + 1);
    c.peekbuf = malloc(QIMPORT_MAX_LINE + 1);
    if (!buf || !c.peekbuf) {
        free(buf);
        free(c.peekbuf);
        return failf(&c, "out of memory");
    }
    int irq_line = -1;
    prepass(&c, text, len, buf, &irq_line);
    if (o->irq_pin >= 0) {
        c.pin = o->irq_pin;
        st->irq_pin_from = "--irq-pin";
    } else if (irq_line >= 0) {
        c.pin = irq_line;
        st->irq_pin_from = "cfg 0x3c";
    } else {
        c.pin = QI_DEFAULT_PIN;
        st->irq_pin_from = "default";
    }
    st->irq_pin = c.pin;
    c.implicit = c.fwcfg_line ? "bios" : "boot";
    c.it = (struct lineit){text, len, 0, 0};
    const char *s;
    size_t n;
    int r, rc = 0;
    while ((r = next_line(&c.it, &s, &n)) != 0) {
        c.line = c.it.no;
        st->lines++;
        if (r < 0) {
            rc = failf(&c, "line longer than %d bytes", QIMPORT_MAX_LINE);
            break;
        }
        if (memchr(s, 0, n)) {
            rc = failf(&c, "NUL byte in the log");
            break;
        }
        memcpy(buf, s, n);
        buf[n] = 0;
        parse_prefix(buf, &c.q);
        const char *ev = c.q.ev;
        if (!strcmp(ev, "memory_region_ops_read"))
            rc = do_mrop(&c, 0);
        else if (!strcmp(ev, "memory_region_ops_write"))
            rc = do_mrop(&c, 1);
        else if (!strcmp(ev, "pci_cfg_read"))
            rc = do_cfg(&c, 0);
        else if (!strcmp(ev, "pci_cfg_write"))
            rc = do_cfg(&c, 1);
        else if (!strcmp(ev, "pci_update_mappings_add"))
            rc = do_mapping(&c, 1);
        else if (!strcmp(ev, "pci_update_mappings_del"))
            rc = do_mapping(&c, 0);
        else if (!strcmp(ev, "ioapic_set_irq"))
            rc = do_ioapic(&c);
        else
            st->skipped++;
        if (!rc && c.out.oom)
            rc = failf(&c, "out of memory");
        if (rc)
            break;
    }
    if (!rc && c.mark_len) {
        c.mark[c.mark_len] = 0;
        sanitize(c.mark);
        flush_section(&c);
        sb_printf(&c.out, "# debugcon line without its newline at the end of the log: %s\n",
                  c.mark);
    }
    free(buf);
    free(c.peekbuf);
    st->skipped += c.conf_lines - c.conf_paired;
    if (!rc) {
        header(hdr, c.name, o, st);
        /* QEMU 7.x completes auto-negotiation 500 ms after a restart
         * (hw/net/e1000.c's autoneg timer): replay with the same delay. */
        sb_printf(hdr, "option autoneg 500ms\n");
        if (c.rev_known)
            sb_printf(hdr, "option revision 0x%02x\n", c.rev);
        size_t words = 0;
        for (unsigned a = 0; a < 64; a++)
            words += c.ee_known[a];
        if (words)
            sb_printf(hdr, "# EEPROM words read by the driver through EECD (%zu of 64):\n", words);
        for (unsigned a = 0; a < 64; a++)
            if (c.ee_known[a])
                sb_printf(hdr, "option eeprom 0x%02x 0x%04x\n", a, c.ee[a]);
        st->eeprom_words = words;
        if (hdr->oom || c.out.oom) {
            c.line = 0;
            rc = failf(&c, "out of memory");
        }
    }
    *body = c.out;
    return rc;
}

static int write_all(FILE *f, const struct sbuf *h, const struct sbuf *b)
{
    if ((h->n && fwrite(h->p, 1, h->n, f) != h->n) || (b->n && fwrite(b->p, 1, b->n, f) != b->n))
        return -1;
    return fflush(f) ? -1 : 0;
}

int qimport_convert(const char *name, const char *text, size_t len, FILE *out,
                    const struct qimport_opts *o, struct qimport_stats *st, char *err,
                    size_t errlen)
{
    static const struct qimport_opts defaults = {.irq = 0, .irq_pin = -1, .mac = NULL};
    struct qimport_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof(*st));
    struct sbuf h = {0}, b = {0};
    int rc = convert(name, text, len, o ? o : &defaults, st, &h, &b, err, errlen);
    if (!rc && out && write_all(out, &h, &b)) {
        snprintf(err, errlen, "%s: cannot write the trace: %s", name ? name : "log",
                 strerror(errno));
        rc = -1;
    }
    free(h.p);
    free(b.p);
    return rc;
}

static int read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno)), -1;
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap);
    for (;;) {
        if (!p) {
            fclose(f);
            return snprintf(err, errlen, "%s: out of memory", path), -1;
        }
        if (n == cap) {
            if (cap >= ((size_t)1 << 30)) {
                free(p);
                fclose(f);
                return snprintf(err, errlen, "%s: larger than 1 GiB", path), -1;
            }
            char *np = realloc(p, cap * 2);
            if (!np)
                free(p);
            p = np;
            cap *= 2;
            continue;
        }
        size_t k = fread(p + n, 1, cap - n, f);
        n += k;
        if (!k)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(p);
        return snprintf(err, errlen, "%s: read error", path), -1;
    }
    *text = p;
    *len = n;
    return 0;
}

int qimport_file(const char *log_path, const char *out_path, const struct qimport_opts *o,
                 struct qimport_stats *st, char *err, size_t errlen)
{
    static const struct qimport_opts defaults = {.irq = 0, .irq_pin = -1, .mac = NULL};
    struct qimport_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof(*st));
    char *text;
    size_t len;
    if (read_file(log_path, &text, &len, err, errlen))
        return -1;
    struct sbuf h = {0}, b = {0};
    int rc = convert(log_path, text, len, o ? o : &defaults, st, &h, &b, err, errlen);
    free(text);
    if (!rc) {
        int to_stdout = !strcmp(out_path, "-");
        FILE *f = to_stdout ? stdout : fopen(out_path, "wb");
        if (!f) {
            snprintf(err, errlen, "%s: cannot create: %s", out_path, strerror(errno));
            rc = -1;
        } else {
            int werr = write_all(f, &h, &b);
            if (!to_stdout && fclose(f))
                werr = -1;
            if (werr) {
                snprintf(err, errlen, "%s: write error: %s", out_path, strerror(errno));
                if (!to_stdout)
                    remove(out_path);
                rc = -1;
            }
        }
    }
    free(h.p);
    free(b.p);
    return rc;
}
