#include "replay.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "e1k/e1k.h"
#include "e1k/e1k_bits.h"
#include "e1k/e1k_regs.h"
#include "evq.h"
#include "nic.h"
#include "qemu_div.h"
#include "recorder.h"

/* QEMU's I/O BAR drops IODATA writes, so the CTRL.RST the Linux driver
 * writes through it (e1000_reset_hw on the 82540) resets our device but not
 * QEMU's. Until the driver writes a register again, a mismatch whose value
 * is what our reset left there is that divergence's consequence. */
static const struct qemu_div io_reset_div = {
    "io-reset-ignored", TS_MEM, 0, 0xFFFFFFFFu, -1, NULL,
    "QEMU ignores writes to IODATA, so CTRL.RST written through the I/O window does not reset "
    "it; registers differ until the driver writes them again",
    "13.2.2.2, 13.4.1" };

struct cascade {
    int active;
    uint8_t *written;   /* per dword: written since the I/O-window reset */
    uint32_t *snapshot; /* our register file right after that reset */
};

struct rctx {
    struct evq *q;
    struct rec *rec;
    int64_t run_id;
    int rec_failed;
};

static void on_anomaly(void *ctx, const struct e1k_anomaly *a, uint64_t t)
{
    struct rctx *c = ctx;
    if (c->rec && !c->rec_failed &&
        rec_anomaly(c->rec, c->run_id, t, e1k_anomaly_name(a->kind), a->offset, a->value, a->msg))
        c->rec_failed = 1;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 255)
            return -1;
        mac[i] = (uint8_t)v[i];
    }
    return 0;
}

static int add_section(struct replay_result *r, const char *name)
{
    struct replay_section *ns = realloc(r->sections, (r->nsections + 1) * sizeof(*ns));
    if (!ns)
        return -1;
    r->sections = ns;
    ns[r->nsections].name = strdup(name);
    ns[r->nsections].checks = ns[r->nsections].failures = 0;
    if (!ns[r->nsections].name)
        return -1;
    r->nsections++;
    return 0;
}

static int add_mismatch(struct replay_result *r, const struct replay_mismatch *m)
{
    if ((r->nmm & (r->nmm - 1)) == 0) { /* grow at powers of two */
        size_t ncap = r->nmm ? r->nmm * 2 : 16;
        struct replay_mismatch *nm = realloc(r->mm, ncap * sizeof(*nm));
        if (!nm)
            return -1;
        r->mm = nm;
    }
    r->mm[r->nmm++] = *m;
    return 0;
}

void replay_format_mismatch(const struct trace *t, const struct replay_mismatch *m, char *buf,
                            size_t n)
{
    char bits[160] = "";
    uint32_t diff = (m->expected ^ m->got) & m->mask;
    size_t k = 0;
    for (int b = 0; b < 32 && k + 4 < sizeof(bits); b++)
        if (diff & (1u << b))
            k += (size_t)snprintf(bits + k, sizeof(bits) - k, "%s%d", k ? "," : "", b);
    if (m->is_irq)
        snprintf(buf, n, "%s:%u: interrupt line: expected %u got %u", t->name, m->line,
                 m->expected, m->got);
    else
        snprintf(buf, n, "%s:%u: %s%s%s: expected 0x%08x got 0x%08x (differs in bit%s %s)%s%s",
                 t->name, m->line, m->space == TS_MEM ? "" : trace_space_name(m->space),
                 m->space == TS_MEM ? "" : " ", m->reg, m->expected, m->got,
                 strchr(bits, ',') ? "s" : "", bits,
                 m->div_id ? "; intended divergence: "
                 : m->unverifiable ? "; unverifiable: depends on guest memory" : "",
                 m->div_id ? m->div_id : "");
}

static uint32_t do_access(struct e1k_dev *d, const struct trace_item *it)
{
    switch (it->space) {
    case TS_MEM:
        if (it->is_write) {
            e1k_mmio_write(d, it->offset, it->value, it->width);
            return it->value;
        }
        return e1k_mmio_read(d, it->offset, it->width);
    case TS_IO:
        if (it->is_write) {
            e1k_io_write(d, it->offset, it->value, it->width);
            return it->value;
        }
        return e1k_io_read(d, it->offset, it->width);
    case TS_CFG:
        if (it->is_write) {
            e1k_pci_write(d, it->offset, it->value, it->width);
            return it->value;
        }
        return e1k_pci_read(d, it->offset, it->width);
    }
    return 0;
}

/* IODATA accesses are named after the register IOADDR selects. */
static void access_name(const struct trace_item *it, uint32_t ioaddr, char *buf, size_t n)
{
    char reg[24];
    if (it->space == TS_MEM)
        e1k_reg_name(it->offset, buf, n);
    else if (it->space == TS_IO && it->offset == 4)
        snprintf(buf, n, "IODATA:%s", e1k_reg_name(ioaddr & ~3u, reg, sizeof(reg)));
    else if (it->space == TS_IO)
        snprintf(buf, n, it->offset == 0 ? "IOADDR" : "io[0x%x]", it->offset);
    else
        snprintf(buf, n, "cfg[0x%02x]", it->offset);
}

static void cascade_track(struct cascade *cs, struct e1k_dev *d, const struct trace_item *it,
                          uint32_t ioaddr)
{
    if (!it->is_write || !cs->written)
        return;
    uint32_t reg;
    if (it->space == TS_MEM)
        reg = it->offset & ~3u;
    else if (it->space == TS_IO && it->offset == 4 && it->width == 4 && ioaddr < E1K_MMIO_SIZE)
        reg = ioaddr & ~3u;
    else
        return;
    if (it->space == TS_IO && reg == E1K_REG_CTRL && (it->value & E1K_CTRL_RST)) {
        cs->active = 1;
        memset(cs->written, 0, E1K_MMIO_SIZE / 4);
        for (uint32_t k = 0; k < E1K_MMIO_SIZE / 4; k++)
            cs->snapshot[k] = e1k_reg_peek(d, k * 4);
        return;
    }
    cs->written[reg / 4] = 1;
}

static void count_div(struct replay_result *r, const char *id, const char *reg)
{
    for (size_t i = 0; i < r->ndivs; i++)
        if (r->divs[i].id == id && !strcmp(r->divs[i].reg, reg)) {
            r->divs[i].n++;
            return;
        }
    struct replay_div_count *nd = realloc(r->divs, (r->ndivs + 1) * sizeof(*nd));
    if (!nd)
        return;
    r->divs = nd;
    nd[r->ndivs].id = id;
    nd[r->ndivs].reg = strdup(reg);
    nd[r->ndivs].n = 1;
    if (nd[r->ndivs].reg)
        r->ndivs++;
}

static void classify(struct replay_result *r, const struct cascade *cs, const struct e1k_dev *d,
                     struct replay_mismatch *m)
{
    struct qemu_div_ctx qc = { d, m->space, m->offset, m->expected, m->got, m->mask };
    const struct qemu_div *dv = qemu_div_match(&qc);
    if (!dv && qemu_div_needs_memory(m->space, m->offset, m->expected, m->got, m->mask)) {
        m->unverifiable = 1;
        return;
    }
    if (!dv && cs->active && m->space == TS_MEM && !cs->written[(m->offset & ~3u) / 4]) {
        uint32_t snap = cs->snapshot[(m->offset & ~3u) / 4] >> ((m->offset & 3) * 8);
        if (((snap ^ m->got) & m->mask) == 0)
            dv = &io_reset_div;
    }
    if (dv) {
        m->div_id = dv->id;
        count_div(r, dv->id, m->reg);
    }
}

int replay_run(const struct trace *t, const struct replay_opts *o, struct replay_result *r,
               char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    struct e1k_config cfg;
    e1k_config_default(&cfg);
    int timing = o->timing;
    const char *topt = trace_option(t, "timing");
    if (timing < 0 && topt) {
        if (!strcasecmp(topt, "functional"))
            timing = 0;
        else if (!strcasecmp(topt, "default"))
            timing = 1;
        else {
            snprintf(err, errlen, "%s: option timing must be functional or default", t->name);
            return -1;
        }
    }
    if (timing == 0)
        e1k_timing_functional(&cfg.timing);
    const char *mac = trace_option(t, "mac");
    if (mac && parse_mac(mac, cfg.mac)) {
        snprintf(err, errlen, "%s: option mac '%s' is not a MAC address", t->name, mac);
        return -1;
    }
    uint16_t image[64];
    int have_image = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct trace_item *it = &t->items[i];
        if (it->kind != TR_OPTION)
            continue;
        if (!strcmp(it->text, "autoneg"))
            cfg.timing.autoneg_ps = it->wait_ps;
        else if (!strcmp(it->text, "revision"))
            cfg.revision = (uint8_t)it->value;
        else if (!strcmp(it->text, "eeprom")) {
            if (!have_image)
                e1k_eeprom_default_image(&cfg, image);
            have_image = 1;
            image[it->offset] = (uint16_t)it->value;
        }
    }
    if (have_image)
        cfg.eeprom_image = image;
    const char *src = trace_option(t, "source");
    r->from_qemu = src && !strcasecmp(src, "qemu");

    struct rctx c = { 0 };
    c.q = evq_new();
    c.rec = o->rec;
    struct simnic_hooks hooks = { .ctx = &c, .anomaly = on_anomaly };
    struct simnic *nic = c.q ? simnic_new(c.q, &cfg, &hooks) : NULL;
    if (!nic || add_section(r, "main")) {
        snprintf(err, errlen, "out of memory");
        simnic_free(nic);
        evq_free(c.q);
        return -1;
    }
    struct e1k_dev *d = simnic_dev(nic);
    /* A captured trace starts at power-on (the firmware's accesses are in
     * it). A hand-written one starts where a driver does: after firmware
     * assigned the BARs and enabled I/O and memory decoding (bus mastering
     * is the driver's to enable, as pci_set_master does). */
    if (!r->from_qemu) {
        e1k_pci_write(d, 0x10, 0xFEBC0000u, 4);
        e1k_pci_write(d, 0x18, 0xC000u, 4);
        e1k_pci_write(d, 0x04, 0x0003, 2);
    }
    if (c.rec) {
        char params[256];
        snprintf(params, sizeof(params), "{\"timing\":\"%s\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\"}",
                 timing == 0 ? "functional" : "default", cfg.mac[0], cfg.mac[1], cfg.mac[2],
                 cfg.mac[3], cfg.mac[4], cfg.mac[5]);
        if (rec_run_begin(c.rec, "replay", t->name, 0, params, &c.run_id)) {
            if (rec_error(c.rec) != err)
                snprintf(err, errlen, "%s", rec_error(c.rec));
            simnic_free(nic);
            evq_free(c.q);
            return -1;
        }
    }
    size_t cur = 0;
    int rc = 0;
    struct cascade cs = { 0 };
    if (r->from_qemu) {
        cs.written = calloc(E1K_MMIO_SIZE / 4, 1);
        cs.snapshot = calloc(E1K_MMIO_SIZE / 4, sizeof(uint32_t));
        if (!cs.written || !cs.snapshot)
            rc = -1;
    }
    for (size_t i = 0; i < t->n && !rc; i++) {
        const struct trace_item *it = &t->items[i];
        struct replay_mismatch m = { .line = it->line, .section = cur };
        int check = 0;
        switch (it->kind) {
        case TR_OPTION:
            break;
        case TR_SECTION:
            if (r->nsections == 1 && r->sections[0].checks == 0 && r->accesses == 0) {
                free(r->sections[0].name);
                r->sections[0].name = strdup(it->text);
                if (!r->sections[0].name)
                    rc = -1;
            } else if (add_section(r, it->text)) {
                rc = -1;
            }
            cur = r->nsections - 1;
            break;
        case TR_WAIT:
            evq_run_until(c.q, simt_add(evq_now(c.q), it->wait_ps));
            break;
        case TR_LINK:
            e1k_set_cable(d, it->level);
            break;
        case TR_IRQ:
            check = 1;
            m.is_irq = 1;
            m.expected = (uint32_t)it->level;
            m.got = (uint32_t)e1k_irq_level(d);
            m.mask = 1;
            snprintf(m.reg, sizeof(m.reg), "irq");
            break;
        case TR_ACCESS: {
            /* Device-internal events due by now run before the access. */
            evq_run_until(c.q, evq_now(c.q));
            uint32_t ioaddr = e1k_io_addr(d);
            uint32_t got = do_access(d, it);
            r->accesses++;
            access_name(it, ioaddr, m.reg, sizeof(m.reg));
            m.space = it->space;
            m.offset = it->offset;
            if (r->from_qemu)
                cascade_track(&cs, d, it, ioaddr);
            if (!it->is_write && it->has_expect) {
                check = 1;
                m.expected = it->value;
                m.got = got;
                m.mask = it->mask;
            } else if (c.rec && !c.rec_failed) {
                struct rec_access ra = {
                    .line = it->line, .time_ps = evq_now(c.q),
                    .space = trace_space_name(it->space), .is_write = it->is_write,
                    .width = it->width, .offset = it->offset, .reg = m.reg, .value = got, .ok = 1,
                };
                if (rec_access(c.rec, c.run_id, &ra))
                    c.rec_failed = 1;
            }
            break;
        }
        }
        if (!check)
            continue;
        r->reads_checked++;
        r->sections[cur].checks++;
        int ok = ((m.expected ^ m.got) & m.mask) == 0;
        if (!ok) {
            r->mismatches++;
            if (r->from_qemu && !m.is_irq)
                classify(r, &cs, d, &m);
            if (m.div_id) {
                r->intended++;
            } else if (m.unverifiable) {
                r->unverifiable++;
            } else {
                r->unexplained++;
                r->sections[cur].failures++;
            }
            if (add_mismatch(r, &m))
                rc = -1;
            if (o->report && ((!m.div_id && !m.unverifiable) || o->verbose)) {
                char line[320];
                replay_format_mismatch(t, &m, line, sizeof(line));
                fprintf(o->report, "%s\n", line);
            }
        }
        if (c.rec && !c.rec_failed && it->kind == TR_ACCESS) {
            char verdict[48] = "";
            if (!ok)
                snprintf(verdict, sizeof(verdict), "%s%s",
                         m.div_id ? "intended:" : m.unverifiable ? "unverifiable" : "unexplained",
                         m.div_id ? m.div_id : "");
            struct rec_access ra = {
                .line = it->line, .time_ps = evq_now(c.q), .space = trace_space_name(it->space),
                .is_write = it->is_write, .width = it->width, .offset = it->offset, .reg = m.reg,
                .value = m.got, .has_expect = 1, .expected = it->value, .mask = it->mask,
                .ok = ok, .verdict = ok ? NULL : verdict,
            };
            if (rec_access(c.rec, c.run_id, &ra))
                c.rec_failed = 1;
        }
    }
    if (rc)
        snprintf(err, errlen, "out of memory");
    r->anomalies = e1k_anomaly_total(d);
    r->sim_time_ps = evq_now(c.q);
    if (c.rec) {
        if (c.rec_failed || rec_run_end(c.rec, c.run_id, rc ? "failed" : "complete",
                                        r->sim_time_ps, r->anomalies)) {
            if (rec_error(c.rec) != err)
                snprintf(err, errlen, "%s", rec_error(c.rec));
            rc = -1;
        }
    }
    free(cs.written);
    free(cs.snapshot);
    simnic_free(nic);
    evq_free(c.q);
    return rc;
}

void replay_result_free(struct replay_result *r)
{
    for (size_t i = 0; i < r->ndivs; i++)
        free((char *)r->divs[i].reg);
    free(r->divs);
    for (size_t i = 0; i < r->nsections; i++)
        free(r->sections[i].name);
    free(r->sections);
    free(r->mm);
    memset(r, 0, sizeof(*r));
}

static void xml_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                fputc('?', f);
            else
                fputc(*s, f);
        }
    }
}

int replay_write_junit(const char *path, const struct trace *t, const struct replay_result *r,
                       char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write the JUnit report", path);
        return -1;
    }
    size_t failures = 0;
    for (size_t i = 0; i < r->nsections; i++)
        failures += r->sections[i].failures != 0;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    fprintf(f, "<testsuite name=\"");
    xml_escape(f, t->name);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", r->nsections, failures);
    for (size_t i = 0; i < r->nsections; i++) {
        const struct replay_section *s = &r->sections[i];
        fprintf(f, "  <testcase classname=\"");
        xml_escape(f, t->name);
        fprintf(f, "\" name=\"");
        xml_escape(f, s->name);
        fprintf(f, "\">\n");
        if (s->failures) {
            fprintf(f, "    <failure message=\"%zu of %zu checks failed\">", s->failures,
                    s->checks);
            for (size_t k = 0; k < r->nmm; k++) {
                if (r->mm[k].section != i || r->mm[k].div_id || r->mm[k].unverifiable)
                    continue;
                char line[320];
                replay_format_mismatch(t, &r->mm[k], line, sizeof(line));
                xml_escape(f, line);
                fputc('\n', f);
            }
            fprintf(f, "</failure>\n");
        }
        size_t intended = 0;
        for (size_t k = 0; k < r->nmm; k++)
            intended += r->mm[k].section == i && r->mm[k].div_id;
        if (intended)
            fprintf(f, "    <system-out>%zu intended divergence(s) from QEMU</system-out>\n",
                    intended);
        fprintf(f, "  </testcase>\n");
    }
    fprintf(f, "</testsuite>\n</testsuites>\n");
    if (fclose(f)) {
        snprintf(err, errlen, "%s: write failed", path);
        return -1;
    }
    return 0;
}
