/* Import a QEMU trace-event log (traces/qemu/FORMAT.md) as a register trace
 * (docs/trace-format.md): `e1ksim import-qemu`. */
#ifndef E1K_QEMU_IMPORT_H
#define E1K_QEMU_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define QIMPORT_MAX_LINE 65536 /* longer log lines are an error */

struct qimport_opts {
    int irq;         /* 1: ioapic_set_irq for the e1000's pin becomes `irq N`; 0: a comment */
    int irq_pin;     /* I/O APIC pin of the e1000; -1: its Interrupt Line (cfg 0x3c), else 11 */
    const char *mac; /* NULL, or "52:54:00:12:34:56": written as `option mac` */
};

struct qimport_stats {
    size_t lines;                   /* lines in the log */
    size_t mmio_reads, mmio_writes; /* e1000-mmio (BAR 0) */
    size_t io_reads, io_writes;     /* e1000-io (the I/O BAR) */
    size_t cfg_reads, cfg_writes;   /* pci_cfg_read / pci_cfg_write of the e1000 */
    size_t cfg_sizes_inferred;      /* cfg accesses with no pci-conf-data partner line */
    size_t irq_events;              /* ioapic_set_irq lines for the e1000's pin */
    size_t mappings;                /* pci_update_mappings_add/del of the e1000 */
    size_t markers;                 /* completed `MARK <phase>` debugcon lines */
    size_t sections;                /* [section] lines written */
    size_t waits;                   /* wait lines written */
    size_t backwards;               /* timestamps earlier than the previous item's (no wait) */
    size_t time_jumps;              /* gaps over an hour (no wait) */
    size_t unreplayable;            /* accesses the trace format cannot express (comments) */
    size_t skipped;                 /* other devices, regions, pins and events; blank lines */
    size_t eeprom_words;            /* EEPROM words decoded from EECD bit-banging */
    int irq_pin;                    /* the pin used */
    const char *irq_pin_from;       /* "--irq-pin", "cfg 0x3c" or "default" */
};

/* Convert the log `text` (`len` bytes; `name` is used in messages and the
 * header) and write the trace to `out` (may be NULL: convert and count only).
 * Nothing is written unless the whole log converts. Returns 0, or -1 with
 * "NAME:LINE: message" in err. `o` may be NULL (defaults); `st` may be NULL. */
int qimport_convert(const char *name, const char *text, size_t len, FILE *out,
                    const struct qimport_opts *o, struct qimport_stats *st, char *err,
                    size_t errlen);

/* The same from file `log_path` to file `out_path` ("-": stdout). The output
 * file is created only when the conversion succeeds. */
int qimport_file(const char *log_path, const char *out_path, const struct qimport_opts *o,
                 struct qimport_stats *st, char *err, size_t errlen);

/* "52:54:00:12:34:56" (two hex digits per byte): 0, else -1. */
int qimport_check_mac(const char *mac);

#endif
