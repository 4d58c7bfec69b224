#include <sqlite3.h>

#include "recorder.h"

const char *rec_lib_version(void) { return sqlite3_libversion(); }
