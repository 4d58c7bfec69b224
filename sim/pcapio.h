/* pcap/pcapng input and output. The only module that includes libpcap. */
#ifndef E1K_PCAPIO_H
#define E1K_PCAPIO_H

const char *pcapio_lib_version(void);

#endif
