#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "version.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "e1ksim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'e1ksim %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
    return CLI_USAGE;
}

int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
    opterr = 0;
    int c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c == '?') {
        const char *bad = argv[optind - 1];
        if (optopt && strchr(shortopts, optopt))
            cli_usage_error(cmd, "option '-%c' needs a value", optopt);
        else if (optopt)
            cli_usage_error(cmd, "unknown option '-%c'", optopt);
        else
            cli_usage_error(cmd, "unknown or incomplete option '%s'", bad);
    } else if (c == ':') {
        cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        c = '?';
    }
    return c;
}

static void main_help(void)
{
    printf("e1ksim %s: a deterministic, cycle-aware simulator and trace-replay test bench\n"
           "for the Intel 82540EM gigabit Ethernet controller (E1000).\n\n"
           "usage: e1ksim <command> [options]\n\ncommands:\n",
           E1KSIM_VERSION);
    for (const struct cli_cmd *c = cli_cmds; c->name; c++)
        printf("  %-12s %s\n", c->name, c->summary);
    printf("\nRun 'e1ksim <command> --help' for a command's options.\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 1) {
        for (const struct cli_cmd *c = cli_cmds; c->name; c++)
            if (!strcmp(c->name, argv[1])) {
                c->help();
                return CLI_OK;
            }
        return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
    }
    main_help();
    return CLI_OK;
}

static void help_help(void) { printf("usage: e1ksim help [COMMAND]\n"); }

static void version_help(void)
{
    printf("usage: e1ksim version\n\nPrints e1ksim's version and the versions of its libraries.\n");
}

const struct cli_cmd cli_cmds[] = {
    { "run", "run a scenario and record it in SQLite", cmd_run, help_run },
    { "sweep", "run a scenario over a parameter grid, in parallel", cmd_sweep, help_sweep },
    { "merge", "merge results files by run key", cmd_merge, help_merge },
    { "replay", "replay a register-access trace against the model", cmd_replay, help_replay },
    { "regs", "print the register table", cmd_regs, help_regs },
    { "import-qemu", "convert a QEMU trace-event log into a trace", cmd_import_qemu,
      help_import_qemu },
    { "report", "write an HTML report (table + plots) of recorded runs", cmd_report,
      help_report },
    { "version", "print the version", cmd_version, version_help },
    { "help", "show help for a command", cmd_help, help_help },
    { NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return main_help(), CLI_USAGE;
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h"))
        return main_help(), CLI_OK;
    if (!strcmp(name, "--version"))
        name = "version";
    if (name[0] == '-')
        return cli_usage_error(NULL, "unknown option '%s'", name);
    for (const struct cli_cmd *c = cli_cmds; c->name; c++) {
        if (strcmp(c->name, name))
            continue;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--"))
                break;
            if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                c->help();
                return CLI_OK;
            }
        }
        optind = 1;
        return c->run(argc - 1, argv + 1);
    }
    return cli_usage_error(NULL, "unknown command '%s'", name);
}
