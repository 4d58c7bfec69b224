#include "trace.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "e1k/e1k.h"
#include "simtime.h"
#include "vec.h"

#define MAX_TOKENS 8
#define MAX_LINE 4096

const char *trace_space_name(enum trace_space s)
{
    return s == TS_MEM ? "mem" : s == TS_IO ? "io" : "cfg";
}

static int fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
{
    if (err && errlen) {
        int n = snprintf(err, errlen, "%s:%u: ", name, line);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < errlen)
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Strict unsigned number: decimal or 0x hex, whole token, fits in `max`. */
static int parse_num(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_duration(const char *s, uint64_t *ps)
{
    static const struct {
        const char *unit;
        uint64_t mult;
    } units[] = { { "ps", 1 }, { "ns", SIMT_NS }, { "us", SIMT_US },
                  { "ms", SIMT_MS }, { "s", SIMT_S }, { "", SIMT_NS } };
    size_t len = strlen(s), digits = 0;
    while (digits < len && isdigit((unsigned char)s[digits]))
        digits++;
    if (!digits || digits > 20)
        return -1;
    char num[24];
    memcpy(num, s, digits);
    num[digits] = 0;
    uint64_t v;
    if (parse_num(num, UINT64_MAX, &v))
        return -1;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(s + digits, units[i].unit))
            continue;
        if (v > UINT64_MAX / units[i].mult)
            return -1;
        *ps = v * units[i].mult;
        return 0;
    }
    return -1;
}

static struct trace_item *push(struct trace *t)
{
    if (vec_reserve(&t->items, &t->cap, t->n, sizeof(*t->items), 256))
        return NULL;
    struct trace_item *it = &t->items[t->n++];
    memset(it, 0, sizeof(*it));
    return it;
}

static int parse_target(enum trace_space sp, const char *tok, uint32_t *off)
{
    uint64_t v;
    if (isdigit((unsigned char)tok[0])) {
        uint32_t limit = sp == TS_MEM ? E1K_MMIO_SIZE : sp == TS_IO ? E1K_IO_SIZE : E1K_PCI_CFG_SIZE;
        if (parse_num(tok, limit - 1, &v))
            return -1;
        *off = (uint32_t)v;
        return 0;
    }
    if (sp == TS_IO) {
        if (!strcasecmp(tok, "IOADDR"))
            return *off = 0, 0;
        if (!strcasecmp(tok, "IODATA"))
            return *off = 4, 0;
        return -1;
    }
    if (sp != TS_MEM)
        return -1;
    char name[64];
    const char *plus = strchr(tok, '+');
    size_t nl = plus ? (size_t)(plus - tok) : strlen(tok);
    if (nl == 0 || nl >= sizeof(name))
        return -1;
    memcpy(name, tok, nl);
    name[nl] = 0;
    uint32_t base;
    if (e1k_reg_parse(name, &base))
        return -1;
    if (plus) {
        if (parse_num(plus + 1, 3, &v))
            return -1;
        base += (uint32_t)v;
    }
    *off = base;
    return 0;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int parse_line(struct trace *t, char *s, unsigned line, int *seen_access, char *err,
                      size_t errlen)
{
    const char *name = t->name;
    char *hash = strchr(s, '#');
    if (hash)
        *hash = 0;
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        s[--len] = 0;
    if (!len)
        return 0;
    if (s[0] == '[') {
        if (s[len - 1] != ']' || len < 3)
            return fail(err, errlen, name, line, "section header must be '[name]'");
        s[len - 1] = 0;
        struct trace_item *it = push(t);
        if (!it || !(it->text = dupstr(s + 1)))
            return fail(err, errlen, name, line, "out of memory");
        it->kind = TR_SECTION;
        it->line = line;
        return 0;
    }
    char *tok[MAX_TOKENS];
    int nt = 0;
    for (char *p = strtok(s, " \t"); p; p = strtok(NULL, " \t")) {
        if (nt == MAX_TOKENS)
            return fail(err, errlen, name, line, "too many fields");
        tok[nt++] = p;
    }
    if (nt == 0)
        return 0;
    struct trace_item *it;
    if (!strcasecmp(tok[0], "wait")) {
        uint64_t ps;
        if (nt != 2 || parse_duration(tok[1], &ps))
            return fail(err, errlen, name, line,
                        "'wait' needs one duration like 10us (units ps, ns, us, ms, s)");
        if (!(it = push(t)))
            return fail(err, errlen, name, line, "out of memory");
        it->kind = TR_WAIT;
        it->line = line;
        it->wait_ps = ps;
        return 0;
    }
    if (!strcasecmp(tok[0], "irq")) {
        if (nt != 2 || (strcmp(tok[1], "0") && strcmp(tok[1], "1")))
            return fail(err, errlen, name, line, "'irq' needs 0 or 1");
        if (!(it = push(t)))
            return fail(err, errlen, name, line, "out of memory");
        it->kind = TR_IRQ;
        it->line = line;
        it->level = tok[1][0] == '1';
        t->reads_checked++;
        return 0;
    }
    if (!strcasecmp(tok[0], "link")) {
        if (nt != 2 || (strcasecmp(tok[1], "up") && strcasecmp(tok[1], "down")))
            return fail(err, errlen, name, line, "'link' needs up or down");
        if (!(it = push(t)))
            return fail(err, errlen, name, line, "out of memory");
        it->kind = TR_LINK;
        it->line = line;
        it->level = !strcasecmp(tok[1], "up");
        return 0;
    }
    if (!strcasecmp(tok[0], "option")) {
        static const struct {
            const char *key;
            int nvals;
        } keys[] = { { "source", 1 }, { "timing", 1 }, { "mac", 1 },     { "autoneg", 1 },
                     { "revision", 1 }, { "eeprom", 2 } };
        int k = -1;
        for (int i = 0; nt >= 2 && i < (int)(sizeof(keys) / sizeof(keys[0])); i++)
            if (!strcasecmp(tok[1], keys[i].key))
                k = i;
        if (k < 0)
            return fail(err, errlen, name, line,
                        "unknown option '%s' (source, timing, mac, autoneg, revision, eeprom)",
                        nt >= 2 ? tok[1] : "");
        if (nt != 2 + keys[k].nvals)
            return fail(err, errlen, name, line, "option %s takes %d value%s", keys[k].key,
                        keys[k].nvals, keys[k].nvals > 1 ? "s" : "");
        if (*seen_access)
            return fail(err, errlen, name, line, "options must come before the first access");
        uint64_t a, v, ps;
        if (k == 3 && parse_duration(tok[2], &ps))
            return fail(err, errlen, name, line, "option autoneg needs a duration like 500ms");
        if (k == 4 && parse_num(tok[2], 0xFF, &v))
            return fail(err, errlen, name, line, "option revision needs a number 0-255");
        if (k == 5 && (parse_num(tok[2], 63, &a) || parse_num(tok[3], 0xFFFF, &v)))
            return fail(err, errlen, name, line,
                        "option eeprom needs a word address 0-63 and a 16-bit value");
        if (!(it = push(t)))
            return fail(err, errlen, name, line, "out of memory");
        it->kind = TR_OPTION;
        it->line = line;
        it->text = dupstr(keys[k].key);
        it->value_text = dupstr(tok[2]);
        if (!it->text || !it->value_text)
            return fail(err, errlen, name, line, "out of memory");
        if (k == 3)
            it->wait_ps = ps;
        if (k == 4)
            it->value = (uint32_t)v;
        if (k == 5) {
            it->offset = (uint32_t)a;
            it->value = (uint32_t)v;
        }
        return 0;
    }
    enum trace_space sp;
    if (!strcasecmp(tok[0], "mem"))
        sp = TS_MEM;
    else if (!strcasecmp(tok[0], "io"))
        sp = TS_IO;
    else if (!strcasecmp(tok[0], "cfg"))
        sp = TS_CFG;
    else
        return fail(err, errlen, name, line,
                    "unknown item '%s' (mem, io, cfg, wait, irq, link, option, [section])",
                    tok[0]);
    if (nt < 3 || nt > 4)
        return fail(err, errlen, name, line, "an access is: %s r32|w32|r16|... TARGET [VALUE[/MASK]]",
                    tok[0]);
    const char *op = tok[1];
    int is_write;
    if (op[0] == 'r' || op[0] == 'R')
        is_write = 0;
    else if (op[0] == 'w' || op[0] == 'W')
        is_write = 1;
    else
        return fail(err, errlen, name, line, "'%s': the operation is r or w with a width, e.g. r32",
                    op);
    unsigned width;
    if (!strcmp(op + 1, "8"))
        width = 1;
    else if (!strcmp(op + 1, "16"))
        width = 2;
    else if (!strcmp(op + 1, "32"))
        width = 4;
    else
        return fail(err, errlen, name, line, "'%s': width must be 8, 16 or 32", op);
    uint32_t off;
    if (parse_target(sp, tok[2], &off))
        return fail(err, errlen, name, line, "'%s' is not a %s offset or register name", tok[2],
                    trace_space_name(sp));
    uint32_t limit = sp == TS_MEM ? E1K_MMIO_SIZE : sp == TS_IO ? E1K_IO_SIZE : E1K_PCI_CFG_SIZE;
    if (off + width > limit)
        return fail(err, errlen, name, line, "access at 0x%x of %u bytes runs past the %s space",
                    off, width, trace_space_name(sp));
    if (!(it = push(t)))
        return fail(err, errlen, name, line, "out of memory");
    it->kind = TR_ACCESS;
    it->line = line;
    it->space = sp;
    it->is_write = (uint8_t)is_write;
    it->width = (uint8_t)width;
    it->offset = off;
    uint64_t vmax = width == 4 ? 0xFFFFFFFFu : (1u << (8 * width)) - 1;
    if (is_write) {
        uint64_t v;
        if (nt != 4 || parse_num(tok[3], vmax, &v)) {
            t->n--;
            return fail(err, errlen, name, line, "a write needs a value that fits in %u bits",
                        8 * width);
        }
        it->value = (uint32_t)v;
        it->mask = (uint32_t)vmax;
    } else if (nt == 4 && strcmp(tok[3], "*")) {
        char *slash = strchr(tok[3], '/');
        uint64_t v, m = vmax;
        if (slash)
            *slash = 0;
        if (parse_num(tok[3], vmax, &v) || (slash && parse_num(slash + 1, vmax, &m))) {
            t->n--;
            return fail(err, errlen, name, line,
                        "expected value must be a number [/mask] that fits in %u bits", 8 * width);
        }
        it->has_expect = 1;
        it->value = (uint32_t)(v & m);
        it->mask = (uint32_t)m;
        t->reads_checked++;
    }
    t->accesses++;
    *seen_access = 1;
    return 0;
}

int trace_parse(const char *name, const char *text, size_t len, struct trace **out, char *err,
                size_t errlen)
{
    struct trace *t = calloc(1, sizeof(*t));
    if (!t || !(t->name = dupstr(name))) {
        free(t);
        return fail(err, errlen, name, 0, "out of memory");
    }
    char buf[MAX_LINE + 2];
    unsigned line = 0;
    int seen_access = 0;
    size_t pos = 0;
    while (pos < len) {
        line++;
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t ll = end - pos;
        if (ll > MAX_LINE) {
            fail(err, errlen, name, line, "line longer than %d characters", MAX_LINE);
            trace_free(t);
            return -1;
        }
        memcpy(buf, text + pos, ll);
        buf[ll] = 0;
        if (memchr(buf, 0, ll)) {
            fail(err, errlen, name, line, "NUL byte in a text trace");
            trace_free(t);
            return -1;
        }
        if (ll && buf[ll - 1] == '\r')
            buf[ll - 1] = 0;
        if (parse_line(t, buf, line, &seen_access, err, errlen)) {
            trace_free(t);
            return -1;
        }
        pos = end + 1;
    }
    *out = t;
    return 0;
}

int trace_load(const char *path, struct trace **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, path, 0, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return fail(err, errlen, path, 0, "out of memory");
    }
    for (;;) {
        if (n == cap) {
            if (cap >= ((size_t)1 << 30)) {
                free(buf);
                fclose(f);
                return fail(err, errlen, path, 0, "file larger than 1 GiB");
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(f);
                return fail(err, errlen, path, 0, "out of memory");
            }
            buf = nb;
            cap *= 2;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        return fail(err, errlen, path, 0, "read error");
    }
    int rc = trace_parse(path, buf, n, out, err, errlen);
    free(buf);
    return rc;
}

void trace_free(struct trace *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->items[i].text);
        free(t->items[i].value_text);
    }
    free(t->items);
    free(t->name);
    free(t);
}

const char *trace_option(const struct trace *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->items[i].kind == TR_OPTION && !strcasecmp(t->items[i].text, key))
            return t->items[i].value_text;
    return NULL;
}
