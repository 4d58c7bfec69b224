/* e1ksim import-qemu: a QEMU trace-event log as a register trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "qemu_import.h"

void help_import_qemu(void)
{
    printf("usage: e1ksim import-qemu LOG -o TRACE [--irq] [--irq-pin N] [--mac MAC]\n\n"
           "Converts a QEMU trace-event log of the e1000 (format: traces/qemu/FORMAT.md;\n"
           "events memory_region_ops_read/write, pci_cfg_read/write,\n"
           "pci_update_mappings_add/del, ioapic_set_irq) into a register trace\n"
           "(docs/trace-format.md) for 'e1ksim replay':\n"
           "  e1000-mmio accesses -> mem rN/wN REGISTER VALUE (offset = address - BAR0 base)\n"
           "  e1000-io accesses   -> io rN/wN IOADDR|IODATA VALUE (IODATA names its register)\n"
           "  pci_cfg_*           -> cfg rN/wN OFFSET VALUE (size from the pci-conf-data line)\n"
           "  ioapic_set_irq      -> '# irq N (QEMU)' comments, or with --irq 'irq N'\n"
           "  'MARK <phase>' on isa-debugcon -> [phase]; before the first marker [bios]\n"
           "  (up to the fwcfg.dma line) and [kernel]; timestamp gaps >= 1 ms -> wait.\n"
           "Reads carry the value QEMU returned as their expectation. Other devices,\n"
           "regions and events are skipped. A one-line summary goes to stderr.\n\n"
           "  -o, --output TRACE  the trace to write ('-': standard output)\n"
           "  --irq               emit the e1000's interrupt line changes as 'irq N' checks\n"
           "  --irq-pin N         the e1000's I/O APIC pin (default: its Interrupt Line\n"
           "                      from config offset 0x3c in the log, else 11)\n"
           "  --mac MAC           add 'option mac MAC' (the MAC the capture's NIC had)\n\n"
           "Exit status: 0 converted, 2 bad command line or malformed log (LOG:LINE: ...).\n");
}

int cmd_import_qemu(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},
        {"irq", no_argument, 0, 'i'},
        {"irq-pin", required_argument, 0, 'p'},
        {"mac", required_argument, 0, 'm'},
        {0, 0, 0, 0},
    };
    struct qimport_opts qo = {.irq = 0, .irq_pin = -1, .mac = NULL};
    const char *out = NULL;
    int c;
    while ((c = cli_getopt("import-qemu", argc, argv, "o:", opts)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'i':
            qo.irq = 1;
            break;
        case 'p': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 0 || v > 255)
                return cli_usage_error("import-qemu", "--irq-pin must be 0-255, not '%s'", optarg);
            qo.irq_pin = (int)v;
            break;
        }
        case 'm':
            if (qimport_check_mac(optarg))
                return cli_usage_error("import-qemu",
                                       "--mac must look like 52:54:00:12:34:56, not '%s'", optarg);
            qo.mac = optarg;
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error("import-qemu", "needs a QEMU log file");
    if (argc - optind > 1)
        return cli_usage_error("import-qemu", "unexpected argument '%s'", argv[optind + 1]);
    if (!out)
        return cli_usage_error("import-qemu", "needs -o TRACE");
    const char *log = argv[optind];
    struct qimport_stats st;
    char err[512];
    if (qimport_file(log, out, &qo, &st, err, sizeof(err))) {
        fprintf(stderr, "e1ksim import-qemu: %s\n", err);
        return CLI_USAGE;
    }
    fprintf(stderr,
            "e1ksim import-qemu: %s: %zu lines; e1000-mmio %zu r / %zu w; e1000-io %zu r / %zu w; "
            "cfg %zu r / %zu w (%zu sizes inferred); irq %zu on pin %d (%s); %zu sections; "
            "%zu waits; %zu skipped\n",
            log, st.lines, st.mmio_reads, st.mmio_writes, st.io_reads, st.io_writes, st.cfg_reads,
            st.cfg_writes, st.cfg_sizes_inferred, st.irq_events, st.irq_pin, st.irq_pin_from,
            st.sections, st.waits, st.skipped);
    return CLI_OK;
}
