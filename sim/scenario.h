/* Scenario files (YAML). The only module that includes libyaml. */
#ifndef E1K_SCENARIO_H
#define E1K_SCENARIO_H

const char *scen_lib_version(void);

#endif
