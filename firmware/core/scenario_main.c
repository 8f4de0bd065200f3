/* piwip-scenario: the scenario runner as a hosted command (x86/Pi), for either engine.
 * wasm2c has the module compiled in; wasm3 reads --wasm (default ../build/piwip.wasm) at run time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_file.h"
#include "scenario.h"

int main(int argc, char **argv) {
  scenario_opts o;
  scenario_defaults(&o);
  if (scenario_parse_args(argc, argv, &o)) return 2;
  uint8_t *wasm = NULL;
  uint32_t len = 0;
  if (strcmp(piwip_engine_name(), "wasm2c") != 0) {
    const char *path = o.wasm_path ? o.wasm_path : "../build/piwip.wasm";
    wasm = file_read_all(path, &len);
    if (!wasm) { fprintf(stderr, "cannot read %s\n", path); return 2; }
  }
  scenario_result r;
  if (scenario_run(&o, wasm, len, &r)) return 1;
  scenario_print(&o, &r);
  free(wasm);
  return 0;
}
