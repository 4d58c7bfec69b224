#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

const char *scen_lib_version(void) { return yaml_get_version_string(); }

enum ktype { K_U64, K_I64, K_DUR, K_ENUM, K_STR, K_BOOL, K_MAC, K_MIX };

struct key {
    const char *name;
    enum ktype type;
    size_t off;
    uint64_t min, max;        /* K_U64, K_DUR */
    const char *const *names; /* K_ENUM, NULL-terminated */
    const char *def;          /* default, in file syntax */
    const char *unit;
    const char *desc;
};

static const char *const e_timing[] = { "default", "functional", NULL };
static const char *const e_mit[] = { "sdm", "qemu", NULL };
static const char *const e_drv[] = { "linux", "poll", NULL };
static const char *const e_src[] = { "none", "generator", "pcap", NULL };
static const char *const e_pt[] = { "recorded", "rate", "line", NULL };
static const char *const e_proc[] = { "constant", "poisson", NULL };
static const char *const e_level[] = { "summary", "packets", NULL };

#define O(f) offsetof(struct scenario, f)
#define PS_MAX UINT64_C(86400000000000000) /* one day */
#define TRAFFIC(dir, D)                                                                           \
    { "traffic." dir ".burst", K_U64, O(traffic.D.burst), 1, 1024, NULL, "1", "frames",          \
      "generator: frames per arrival" },                                                         \
    { "traffic." dir ".count", K_U64, O(traffic.D.count), 0, UINT64_C(1) << 40, NULL, "0",         \
      "frames", "stop after this many frames (0: until the run ends)" },                         \
    { "traffic." dir ".length", K_U64, O(traffic.D.length), 14, 16380, NULL, "60", "bytes",       \
      "generator: frame length without FCS" },                                                   \
    { "traffic." dir ".length_mix", K_MIX, O(traffic.D.length_mix), 0, 0, NULL, "\"\"", "",      \
      "generator: length:weight list, e.g. 60:7,590:4,1514:1 (overrides length)" },             \
    { "traffic." dir ".loop", K_U64, O(traffic.D.loop), 1, 1000000, NULL, "1", "times",          \
      "pcap: times to play the file" },                                                          \
    { "traffic." dir ".pcap", K_STR, O(traffic.D.pcap), 0, 0, NULL, "\"\"", "path",              \
      "pcap or pcapng file (relative to the scenario file)" },                                   \
    { "traffic." dir ".pcap_timing", K_ENUM, O(traffic.D.pcap_timing), 0, 0, e_pt, "recorded",   \
      "", "pcap: recorded timestamps, re-timed at rate_pps, or back to back at line rate" },     \
    { "traffic." dir ".process", K_ENUM, O(traffic.D.process), 0, 0, e_proc, "constant", "",     \
      "generator: constant or Poisson arrivals (seeded)" },                                      \
    { "traffic." dir ".rate_pps", K_U64, O(traffic.D.rate_pps), 1, 100000000, NULL, "10000",     \
      "frames/s", "offered rate (generator; pcap with pcap_timing: rate)" },                     \
    { "traffic." dir ".source", K_ENUM, O(traffic.D.source), 0, 0, e_src, "none", "",            \
      "none, generator or pcap" },                                                               \
    { "traffic." dir ".start", K_DUR, O(traffic.D.start_ps), 0, PS_MAX, NULL, "0", "time",       \
      "first frame at this simulated time" }

/* Sorted by name: the JSON parameter set is emitted in this order. */
static const struct key keys[] = {
    { "device.autoneg", K_DUR, O(device.autoneg_ps), 0, PS_MAX, NULL, "2s", "time",
      "auto-negotiation duration (restart to link up)" },
    { "device.dma_read_latency", K_DUR, O(device.dma_read_latency_ps), 0, PS_MAX, NULL,
      "600ns", "time", "PCI memory read latency of a DMA read (request to first data)" },
    { "device.mac", K_MAC, O(device.mac), 0, 0, NULL, "52:54:00:12:34:56", "",
      "MAC address in the EEPROM" },
    { "device.mitigation", K_ENUM, O(device.mitigation), 0, 0, e_mit, "sdm", "",
      "interrupt moderation: sdm (82540EM) or qemu (QEMU 7.x's scheme)" },
    { "device.partner_speeds", K_U64, O(device.partner_speeds), 1, 7, NULL, "7", "bitmask",
      "link partner's full-duplex speeds: 1=10, 2=100, 4=1000 Mb/s" },
    { "device.pci_mhz", K_U64, O(device.pci_mhz), 33, 66, NULL, "33", "MHz",
      "PCI bus clock (33 or 66)" },
    { "device.subsystem_id", K_U64, O(device.subsystem_id), 0, 65535, NULL, "30", "",
      "PCI subsystem ID in the EEPROM (word 0Bh; 30 = 0x001E, PRO/1000 MT Desktop)" },
    { "device.subsystem_vendor_id", K_U64, O(device.subsystem_vendor_id), 0, 65535, NULL,
      "0x8086", "", "PCI subsystem vendor ID in the EEPROM (word 0Ch)" },
    { "device.timing", K_ENUM, O(device.timing), 0, 0, e_timing, "default", "",
      "device timing preset: default (hardware-like) or functional (all zero, QEMU-like)" },
    { "driver.irq_cost", K_DUR, O(driver.irq_cost_ps), 0, PS_MAX, NULL, "3us", "time",
      "CPU cost of an interrupt: injection, handler entry and exit" },
    { "driver.itr", K_I64, O(driver.itr), 0, 100000, NULL, "3", "",
      "InterruptThrottleRate: 0 off, 1 dynamic, 3 dynamic conservative, 4 simplified, "
      "or a fixed 100..100000 interrupts/s" },
    { "driver.mmio_exit_cost", K_DUR, O(driver.mmio_exit_ps), 0, PS_MAX, NULL, "2us", "time",
      "CPU cost of a trapped MMIO access (a VM exit and its handling)" },
    { "driver.model", K_ENUM, O(driver.model), 0, 0, e_drv, "linux", "",
      "linux (interrupts + NAPI, like e1000) or poll (no interrupts, like DPDK's PMD)" },
    { "driver.napi_budget", K_U64, O(driver.napi_budget), 1, 4096, NULL, "64", "frames",
      "frames received per NAPI poll" },
    { "driver.pkt_cost", K_DUR, O(driver.pkt_cost_ps), 0, PS_MAX, NULL, "1us", "time",
      "CPU cost per frame in the guest stack" },
    { "driver.poll_cost", K_DUR, O(driver.poll_cost_ps), 0, PS_MAX, NULL, "200ns", "time",
      "CPU cost per NAPI poll or poll-loop pass" },
    { "driver.poll_interval", K_DUR, O(driver.poll_interval_ps), 1000, PS_MAX, NULL, "10us",
      "time", "poll driver: time between polls of an idle ring" },
    { "driver.rx_abs_int_delay", K_U64, O(driver.rx_abs_int_delay), 0, 65535, NULL, "8",
      "1.024 us", "RxAbsIntDelay (RADV)" },
    { "driver.rx_buffer_write", K_U64, O(driver.rx_buffer_write), 1, 4096, NULL, "16",
      "buffers", "RDT is written after refilling this many buffers" },
    { "driver.rx_int_delay", K_U64, O(driver.rx_int_delay), 0, 65535, NULL, "0", "1.024 us",
      "RxIntDelay (RDTR)" },
    { "driver.rx_ring", K_U64, O(driver.rx_ring), 8, 4096, NULL, "256", "descriptors",
      "receive ring size (multiple of 8)" },
    { "driver.tx_abs_int_delay", K_U64, O(driver.tx_abs_int_delay), 0, 65535, NULL, "32",
      "1.024 us", "TxAbsIntDelay (TADV)" },
    { "driver.tx_batch", K_U64, O(driver.tx_batch), 1, 4096, NULL, "1", "frames",
      "TDT is written after queueing this many frames" },
    { "driver.tx_int_delay", K_U64, O(driver.tx_int_delay), 0, 65535, NULL, "8", "1.024 us",
      "TxIntDelay (TIDV)" },
    { "driver.tx_ring", K_U64, O(driver.tx_ring), 8, 4096, NULL, "256", "descriptors",
      "transmit ring size (multiple of 8)" },
    { "duration", K_DUR, O(duration_ps), 1, PS_MAX, NULL, "100ms", "time",
      "simulated time to run" },
    { "name", K_STR, O(name), 0, 0, NULL, "default", "", "scenario name" },
    { "record.db", K_STR, O(record.db), 0, 0, NULL, "results.db", "path",
      "SQLite results file (--db overrides)" },
    { "record.level", K_ENUM, O(record.level), 0, 0, e_level, "packets", "",
      "summary (histograms, interrupts, counters) or packets (every frame too)" },
    { "record.pcap_rx", K_STR, O(record.pcap_rx), 0, 0, NULL, "\"\"", "path",
      "write frames delivered to the guest stack to this pcap" },
    { "record.pcap_tx", K_STR, O(record.pcap_tx), 0, 0, NULL, "\"\"", "path",
      "write frames the guest sent on the wire to this pcap" },
    { "record.reg_accesses", K_BOOL, O(record.reg_accesses), 0, 0, NULL, "false", "",
      "record every register access" },
    { "seed", K_U64, O(seed), 0, UINT64_MAX, NULL, "1", "", "seed of every random choice" },
    TRAFFIC("rx", rx),
    TRAFFIC("tx", tx),
    { "warmup", K_DUR, O(warmup_ps), 0, PS_MAX, NULL, "0", "time",
      "frames before this time are left out of latency statistics" },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static int errf(char *err, size_t errlen, const char *file, unsigned line, const char *key,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int errf(char *err, size_t errlen, const char *file, unsigned line, const char *key,
                const char *fmt, ...)
{
    int n = line ? snprintf(err, errlen, "%s:%u: %s: ", file, line, key)
                 : snprintf(err, errlen, "%s: %s: ", file, key);
    if (n >= 0 && (size_t)n < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    /* one line, whatever the file's keys and values contain */
    for (char *p = err; errlen && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return -1;
}

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (!strcmp(keys[i].name, name))
            return &keys[i];
    return NULL;
}

static int parse_u64(const char *s, uint64_t *v)
{
    if (!*s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

int scen_parse_duration(const char *s, uint64_t *ps);
int scen_parse_duration(const char *s, uint64_t *ps)
{
    static const struct {
        const char *u;
        uint64_t m;
    } units[] = { { "ps", 1 }, { "ns", 1000 }, { "us", 1000000 }, { "ms", 1000000000 },
                  { "s", UINT64_C(1000000000000) } };
    size_t n = 0;
    while (isdigit((unsigned char)s[n]))
        n++;
    if (!n || n > 19)
        return -1;
    char num[24];
    memcpy(num, s, n);
    num[n] = 0;
    uint64_t v;
    if (parse_u64(num, &v))
        return -1;
    if (!s[n]) {
        if (v != 0)
            return -1; /* a bare number is ambiguous: only 0 is allowed */
        *ps = 0;
        return 0;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(s + n, units[i].u))
            continue;
        if (v > UINT64_MAX / units[i].m)
            return -1;
        *ps = v * units[i].m;
        return 0;
    }
    return -1;
}

static int check_mac(const char *s)
{
    if (strlen(s) != 17)
        return -1;
    for (int i = 0; i < 17; i++) {
        if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
            return -1;
    }
    return 0;
}

/* "60:7,590:4,1514:1" */
static int check_mix(const char *s)
{
    if (!*s)
        return 0;
    int n = 0;
    while (*s) {
        char *end;
        errno = 0;
        unsigned long len = strtoul(s, &end, 10);
        if (end == s || *end != ':' || errno || len < 14 || len > 16380)
            return -1;
        s = end + 1;
        unsigned long w = strtoul(s, &end, 10);
        if (end == s || errno || w == 0 || w > 1000000)
            return -1;
        s = end;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
        if (++n > 64)
            return -1;
    }
    return 0;
}

static int set_value(struct scenario *sc, const struct key *k, const char *v, const char *file,
                     unsigned line, char *err, size_t errlen)
{
    char *base = (char *)sc + k->off;
    uint64_t u;
    switch (k->type) {
    case K_U64:
        if (parse_u64(v, &u))
            return errf(err, errlen, file, line, k->name, "'%s' is not an unsigned integer", v);
        if (u < k->min || u > k->max)
            return errf(err, errlen, file, line, k->name, "%llu is out of range %llu..%llu",
                        (unsigned long long)u, (unsigned long long)k->min,
                        (unsigned long long)k->max);
        if (!strcmp(k->name, "device.pci_mhz") && u != 33 && u != 66)
            return errf(err, errlen, file, line, k->name, "must be 33 or 66");
        if ((!strcmp(k->name, "driver.rx_ring") || !strcmp(k->name, "driver.tx_ring")) && u % 8)
            return errf(err, errlen, file, line, k->name,
                        "%llu is not a multiple of 8 (rings are 128-byte multiples)",
                        (unsigned long long)u);
        memcpy(base, &u, sizeof(u));
        return 0;
    case K_I64: {
        if (parse_u64(v, &u) || u > k->max)
            return errf(err, errlen, file, line, k->name,
                        "'%s': use 0, 1, 3, 4 or a rate of 100..100000 interrupts/s", v);
        if (u == 2 || (u > 4 && u < 100))
            return errf(err, errlen, file, line, k->name,
                        "%llu: use 0, 1, 3, 4 or a rate of 100..100000 interrupts/s",
                        (unsigned long long)u);
        int64_t x = (int64_t)u;
        memcpy(base, &x, sizeof(x));
        return 0;
    }
    case K_DUR:
        if (scen_parse_duration(v, &u))
            return errf(err, errlen, file, line, k->name,
                        "'%s' is not a duration (an integer with ps, ns, us, ms or s)", v);
        if (u < k->min || u > k->max)
            return errf(err, errlen, file, line, k->name, "'%s' is out of range", v);
        memcpy(base, &u, sizeof(u));
        return 0;
    case K_ENUM:
        for (int i = 0; k->names[i]; i++)
            if (!strcmp(v, k->names[i])) {
                memcpy(base, &i, sizeof(i));
                return 0;
            }
        {
            char opts[128] = "";
            for (int i = 0; k->names[i]; i++)
                snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%s%s", i ? ", " : "",
                         k->names[i]);
            return errf(err, errlen, file, line, k->name, "'%s' is not one of: %s", v, opts);
        }
    case K_BOOL:
        if (!strcmp(v, "true") || !strcmp(v, "false")) {
            int b = v[0] == 't';
            memcpy(base, &b, sizeof(b));
            return 0;
        }
        return errf(err, errlen, file, line, k->name, "'%s' is not true or false", v);
    case K_MAC:
        if (check_mac(v))
            return errf(err, errlen, file, line, k->name, "'%s' is not a MAC like 52:54:00:12:34:56",
                        v);
        snprintf(base, 32, "%s", v);
        return 0;
    case K_MIX:
        if (check_mix(v))
            return errf(err, errlen, file, line, k->name,
                        "'%s' is not a length:weight list like 60:7,590:4,1514:1 "
                        "(lengths 14..16380)",
                        v);
        /* fall through */
    case K_STR:
        if (strlen(v) >= SCEN_STR)
            return errf(err, errlen, file, line, k->name, "longer than %d characters",
                        SCEN_STR - 1);
        snprintf(base, SCEN_STR, "%s", v);
        return 0;
    }
    return -1;
}

void scen_defaults(struct scenario *s)
{
    memset(s, 0, sizeof(*s));
    char err[256];
    for (size_t i = 0; i < NKEYS; i++) {
        const char *d = keys[i].def;
        char buf[64];
        if (d[0] == '"') { /* "" */
            buf[0] = 0;
            d = buf;
        }
        if (set_value(s, &keys[i], d, "defaults", 0, err, sizeof(err)))
            abort(); /* the table itself is wrong: a programming error */
    }
}

/* ---- YAML ---- */

struct walk {
    yaml_document_t *doc;
    struct scenario *s;
    const char *file;
    char *err;
    size_t errlen;
};

static int walk_mapping(struct walk *w, yaml_node_t *map, const char *prefix, int depth)
{
    if (depth > 4)
        return errf(w->err, w->errlen, w->file, (unsigned)map->start_mark.line + 1, prefix,
                    "nested too deep");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = yaml_document_get_node(w->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(w->doc, p->value);
        if (!kn || !vn || kn->type != YAML_SCALAR_NODE)
            return errf(w->err, w->errlen, w->file, kn ? (unsigned)kn->start_mark.line + 1 : 0,
                        prefix[0] ? prefix : "(top)", "keys must be plain names");
        char name[128];
        int n = snprintf(name, sizeof(name), "%s%s%s", prefix, prefix[0] ? "." : "",
                         (const char *)kn->data.scalar.value);
        unsigned line = (unsigned)kn->start_mark.line + 1;
        if (n < 0 || (size_t)n >= sizeof(name))
            return errf(w->err, w->errlen, w->file, line, prefix, "key too long");
        if (vn->type == YAML_MAPPING_NODE) {
            /* a section: some key must start with "name." */
            int any = 0;
            size_t nl = strlen(name);
            for (size_t i = 0; i < NKEYS && !any; i++)
                any = !strncmp(keys[i].name, name, nl) && keys[i].name[nl] == '.';
            if (!any)
                return errf(w->err, w->errlen, w->file, line, name, "unknown section");
            if (walk_mapping(w, vn, name, depth + 1))
                return -1;
            continue;
        }
        const struct key *k = find_key(name);
        if (!k)
            return errf(w->err, w->errlen, w->file, line, name, "unknown key");
        if (vn->type != YAML_SCALAR_NODE)
            return errf(w->err, w->errlen, w->file, line, name, "expects a single value");
        const char *v = (const char *)vn->data.scalar.value;
        if (set_value(w->s, k, v, w->file, (unsigned)vn->start_mark.line + 1, w->err, w->errlen))
            return -1;
    }
    return 0;
}

int scen_load_text(const char *name, const char *text, size_t len, struct scenario *s, char *err,
                   size_t errlen)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (strlen(name) >= sizeof(s->path))
        return errf(err, errlen, name, 0, "file",
                    "path longer than %zu characters (relative paths inside it would break)",
                    sizeof(s->path) - 1);
    if (!yaml_parser_initialize(&parser))
        return errf(err, errlen, name, 0, "yaml", "cannot initialise the parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        errf(err, errlen, name, (unsigned)parser.problem_mark.line + 1, "yaml", "%s",
             parser.problem ? parser.problem : "syntax error");
        yaml_parser_delete(&parser);
        return -1;
    }
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_MAPPING_NODE) {
        struct walk w = { &doc, s, name, err, errlen };
        rc = walk_mapping(&w, root, "", 0);
    } else if (root && !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)) {
        rc = errf(err, errlen, name, (unsigned)root->start_mark.line + 1, "(top)",
                  "a scenario is a mapping of keys");
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (!rc)
        snprintf(s->path, sizeof(s->path), "%s", name);
    return rc;
}

int scen_load(const char *path, struct scenario *s, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errf(err, errlen, path, 0, "file", "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            if (cap >= (1u << 24)) {
                free(buf);
                fclose(f);
                return errf(err, errlen, path, 0, "file", "larger than 16 MiB");
            }
            cap = cap ? cap * 2 : 4096;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return errf(err, errlen, path, 0, "file", "out of memory");
            }
            buf = nb;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (!k)
            break;
    }
    fclose(f);
    int rc = scen_load_text(path, buf ? buf : "", n, s, err, errlen);
    free(buf);
    return rc;
}

int scen_set(struct scenario *s, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    char name[128];
    if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(name))
        return errf(err, errlen, "--set", 0, assignment, "expected key=value");
    memcpy(name, assignment, (size_t)(eq - assignment));
    name[eq - assignment] = 0;
    const struct key *k = find_key(name);
    if (!k)
        return errf(err, errlen, "--set", 0, name, "unknown key (see e1ksim run --list-keys)");
    /* The value is a YAML scalar: parse it as one so quoting works alike. */
    const char *v = eq + 1;
    char buf[SCEN_STR + 8];
    size_t vl = strlen(v);
    if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
        if (vl - 2 >= sizeof(buf))
            return errf(err, errlen, "--set", 0, name, "value too long");
        memcpy(buf, v + 1, vl - 2);
        buf[vl - 2] = 0;
        v = buf;
    }
    return set_value(s, k, v, "--set", 0, err, errlen);
}

static int json_str(char *out, size_t n, const char *s)
{
    size_t k = 0;
    if (k < n)
        out[k] = '"';
    k++;
    for (; *s; s++) {
        char esc[8];
        const char *e = NULL;
        if (*s == '"' || *s == '\\') {
            esc[0] = '\\';
            esc[1] = *s;
            esc[2] = 0;
            e = esc;
        } else if ((unsigned char)*s < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", (unsigned char)*s);
            e = esc;
        }
        if (e) {
            for (; *e; e++, k++)
                if (k < n)
                    out[k] = *e;
        } else {
            if (k < n)
                out[k] = *s;
            k++;
        }
    }
    if (k < n)
        out[k] = '"';
    k++;
    return (int)k;
}

int scen_to_json(const struct scenario *s, char *buf, size_t n)
{
    size_t k = 0;
#define PUT(...)                                                                                  \
    do {                                                                                          \
        int m_ = snprintf(buf + (k < n ? k : n), k < n ? n - k : 0, __VA_ARGS__);                 \
        if (m_ < 0)                                                                               \
            return -1;                                                                            \
        k += (size_t)m_;                                                                          \
    } while (0)
    PUT("{");
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key *kk = &keys[i];
        const char *base = (const char *)s + kk->off;
        PUT("%s\"%s\":", i ? "," : "", kk->name);
        uint64_t u;
        int64_t x;
        int e;
        switch (kk->type) {
        case K_U64:
        case K_DUR:
            memcpy(&u, base, sizeof(u));
            PUT("%llu", (unsigned long long)u);
            break;
        case K_I64:
            memcpy(&x, base, sizeof(x));
            PUT("%lld", (long long)x);
            break;
        case K_ENUM:
            memcpy(&e, base, sizeof(e));
            PUT("\"%s\"", kk->names[e]);
            break;
        case K_BOOL:
            memcpy(&e, base, sizeof(e));
            PUT("%s", e ? "true" : "false");
            break;
        default:
            k += (size_t)json_str(buf + (k < n ? k : n), k < n ? n - k : 0, base);
            break;
        }
    }
    PUT("}");
#undef PUT
    if (k >= n)
        return -1;
    return (int)k;
}

void scen_print_keys(int md)
{
    if (md)
        printf("# Scenario keys\n\nGenerated by `e1ksim run --list-keys` from the key table in "
               "`sim/scenario.c`; do not edit by hand.\nDurations are an integer with a unit "
               "(ps, ns, us, ms, s). Every key can be overridden with\n`--set key=value`.\n\n"
               "| key | default | unit | range / values | meaning |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key *k = &keys[i];
        char range[160] = "";
        if (k->type == K_ENUM) {
            for (int j = 0; k->names[j]; j++)
                snprintf(range + strlen(range), sizeof(range) - strlen(range), "%s%s",
                         j ? ", " : "", k->names[j]);
        } else if (k->type == K_U64) {
            snprintf(range, sizeof(range), "%llu..%llu", (unsigned long long)k->min,
                     (unsigned long long)k->max);
        } else if (k->type == K_BOOL) {
            snprintf(range, sizeof(range), "true, false");
        }
        if (md)
            printf("| `%s` | `%s` | %s | %s | %s |\n", k->name, k->def, k->unit, range, k->desc);
        else
            printf("%-28s %-18s %-12s %s\n", k->name, k->def, k->unit, k->desc);
    }
}
