/* SQLite results recorder. The only module that includes <sqlite3.h>. */
#ifndef E1K_RECORDER_H
#define E1K_RECORDER_H

const char *rec_lib_version(void);

#endif
