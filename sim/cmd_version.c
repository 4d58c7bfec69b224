#include <stdio.h>

#include "cli.h"
#include "pcapio.h"
#include "recorder.h"
#include "scenario.h"
#include "version.h"

int cmd_version(int argc, char **argv)
{
    static const struct option opts[] = { { 0, 0, 0, 0 } };
    if (cli_getopt("version", argc, argv, "", opts) != -1)
        return CLI_USAGE;
    if (optind < argc)
        return cli_usage_error("version", "unexpected argument '%s'", argv[optind]);
    printf("e1ksim %s\n", E1KSIM_VERSION);
    printf("  %s\n  sqlite %s\n  libyaml %s\n", pcapio_lib_version(), rec_lib_version(),
           scen_lib_version());
    return CLI_OK;
}
