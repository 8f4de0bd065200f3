/* QEMU TCG plugin (API v1, QEMU 7.2): counts executed guest instructions per translation block and writes
 * "vaddr n_insns executions" lines to the file given as out=PATH at exit; firmware/tools/m7-bench.ts maps them to
 * functions. Debian's QEMU exports the plugin API but ships no qemu-plugin.h, so the few prototypes are declared here. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                                  void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
extern void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
                                                     uint64_t imm);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *), void *userdata);

typedef struct entry {
  uint64_t vaddr, n_insns, count;
  struct entry *next;
} entry;

static entry *s_entries;
static char s_out[1024] = "insn_profile.txt";

static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  entry *e = calloc(1, sizeof *e);
  if (!e) return;
  e->vaddr = qemu_plugin_tb_vaddr(tb);
  e->n_insns = qemu_plugin_tb_n_insns(tb);
  e->next = s_entries;
  s_entries = e;
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &e->count, 1);
}

static void on_atexit(qemu_plugin_id_t id, void *p) {
  (void)id;
  (void)p;
  FILE *f = fopen(s_out, "w");
  if (!f) return;
  for (entry *e = s_entries; e; e = e->next)
    if (e->count) fprintf(f, "%llx %llu %llu\n", (unsigned long long)e->vaddr, (unsigned long long)e->n_insns,
                          (unsigned long long)e->count);
  fclose(f);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
                                                                int argc, char **argv) {
  (void)info;
  for (int i = 0; i < argc; i++)
    if (strncmp(argv[i], "out=", 4) == 0) {
      strncpy(s_out, argv[i] + 4, sizeof s_out - 1);
    }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
  qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
  return 0;
}
