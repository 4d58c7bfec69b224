#include <pcap/pcap.h>

#include "pcapio.h"

const char *pcapio_lib_version(void) { return pcap_lib_version(); }
