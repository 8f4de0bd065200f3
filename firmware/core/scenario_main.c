/* piwip-scenario: the scenario runner as a hosted command (x86/Pi), for either engine.
 * wasm2c has the module compiled in; wasm3 reads --wasm (default ../build/piwip.wasm) at run time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

static uint8_t *read_file(const char *path, uint32_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *p = n > 0 ? malloc((size_t)n) : NULL;
  if (p && fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); p = NULL; }
  fclose(f);
  *len = (uint32_t)n;
  return p;
}

int main(int argc, char **argv) {
  scenario_opts o;
  scenario_defaults(&o);
  if (scenario_parse_args(argc, argv, &o)) return 2;
  uint8_t *wasm = NULL;
  uint32_t len = 0;
  if (strcmp(piwip_engine_name(), "wasm2c") != 0) {
    const char *path = o.wasm_path ? o.wasm_path : "../build/piwip.wasm";
    wasm = read_file(path, &len);
    if (!wasm) { fprintf(stderr, "cannot read %s\n", path); return 2; }
  }
  scenario_result r;
  if (scenario_run(&o, wasm, len, &r)) return 1;
  scenario_print(&o, &r);
  free(wasm);
  return 0;
}
