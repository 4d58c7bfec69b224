#include <yaml.h>

#include "scenario.h"

const char *scen_lib_version(void) { return yaml_get_version_string(); }
