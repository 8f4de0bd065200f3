/* QEMU TCG plugin (API v1, QEMU 7.2): M7 instructions of the wasm3 image per wasm function and per audio block.
 * QEMU 7.2's plugins cannot read registers, so the interpreter's program counter is not visible; but every wasm3 op
 * handler reads its operands (and the next handler's address) from the running function's compiled code, so the
 * last code-page word read says which wasm function runs. The code map ("w3code FIRST END INDEX NAME" lines, printed
 * by an image built with -DPIWIP_WASM3_CODE_MAP) gives the words of each function; the image and its inputs are
 * deterministic, so the map from one run holds for the next.
 * Args: map=PATH (the w3code lines), enter=HEX (piwip_process: a block starts, glue until the first code read),
 * leave=HEX (the scenario's counter, read right after piwip_process: the harness until the next enter), out=PATH.
 * Output: "B block index insns" per block and function (index -1 = engine glue and wasm3 outside any function),
 * "T index insns" totals inside blocks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
struct qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                                  void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
extern void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, void (*cb)(unsigned int, void *),
                                                 enum qemu_plugin_cb_flags flags, void *userdata);
extern void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn,
                                             void (*cb)(unsigned int, qemu_plugin_meminfo_t, uint64_t, void *),
                                             enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw,
                                             void *userdata);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *), void *userdata);

/* slot 0 = glue (inside piwip_process, no wasm code read yet), 1 = harness (outside blocks), 2+ = wasm functions */
#define GLUE 0
#define HARNESS 1
static uint64_t s_lo, s_hi;  /* code-map address range */
static uint16_t *s_word;     /* per 4-byte code word: slot, 0 = not code */
static int s_nslots = 2;
static int s_index[65536];   /* slot -> wasm function index */
static uint64_t *s_block;    /* this block's insns per slot */
static uint64_t *s_total;
static int s_cur = HARNESS;
static long s_blocks = -1;
static uint64_t s_enter, s_leave;
static FILE *s_out;
static char s_out_path[1024] = "wasm3_profile.txt";

static void flush_block(void) {
  if (s_blocks < 0) return;
  for (int i = 0; i < s_nslots; i++)
    if (i != HARNESS && s_block[i]) {
      fprintf(s_out, "B %ld %d %llu\n", s_blocks, i == GLUE ? -1 : s_index[i], (unsigned long long)s_block[i]);
      s_total[i] += s_block[i];
      s_block[i] = 0;
    }
}

static void on_tb(unsigned int vcpu, void *n) { (void)vcpu; s_block[s_cur] += (uint64_t)(uintptr_t)n; }
static void on_enter(unsigned int vcpu, void *u) {
  (void)vcpu; (void)u;
  flush_block();
  s_blocks++;
  s_cur = GLUE;
}
static void on_leave(unsigned int vcpu, void *u) { (void)vcpu; (void)u; s_cur = HARNESS; }
static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *u) {
  (void)vcpu; (void)info; (void)u;
  if (vaddr - s_lo < s_hi - s_lo && s_cur != HARNESS) {
    uint16_t slot = s_word[(vaddr - s_lo) >> 2];
    if (slot) s_cur = slot;
  }
}

static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  uint64_t va = qemu_plugin_tb_vaddr(tb) & ~1ull;
  size_t n = qemu_plugin_tb_n_insns(tb);
  if (va == s_enter) qemu_plugin_register_vcpu_tb_exec_cb(tb, on_enter, QEMU_PLUGIN_CB_NO_REGS, NULL);
  if (va == s_leave) qemu_plugin_register_vcpu_tb_exec_cb(tb, on_leave, QEMU_PLUGIN_CB_NO_REGS, NULL);
  qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)n);
  /* QEMU_PLUGIN_MEM_RW: with MEM_R, QEMU 7.2 reported only the stack accesses of a handler, none of its loads
   * from the code (checked on op_f32_Add_rs). Nothing writes code pages while blocks run, so every hit is a read. */
  for (size_t i = 0; i < n; i++)
    qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i), on_mem, QEMU_PLUGIN_CB_NO_REGS,
                                     QEMU_PLUGIN_MEM_RW, NULL);
}

static void on_atexit(qemu_plugin_id_t id, void *p) {
  (void)id; (void)p;
  flush_block();
  for (int i = 0; i < s_nslots; i++)
    if (i != HARNESS && s_total[i])
      fprintf(s_out, "T %d %llu\n", i == GLUE ? -1 : s_index[i], (unsigned long long)s_total[i]);
  fclose(s_out);
}

static int load_map(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[2048];
  unsigned long lo, hi, idx;
  s_lo = UINT64_MAX;
  s_hi = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "w3code %lx %lx %lu", &lo, &hi, &idx) == 3) {
      if (lo < s_lo) s_lo = lo;
      if (hi > s_hi) s_hi = hi;
    }
  if (s_hi <= s_lo) { fclose(f); return -1; }
  s_word = calloc((size_t)((s_hi - s_lo) >> 2) + 1, sizeof *s_word);
  int slot_of[65536];
  memset(slot_of, 0, sizeof slot_of);
  rewind(f);
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "w3code %lx %lx %lu", &lo, &hi, &idx) == 3 && idx < 65536) {
      if (!slot_of[idx]) {
        if (s_nslots >= 65535) continue;
        s_index[s_nslots] = (int)idx;
        slot_of[idx] = s_nslots++;
      }
      for (unsigned long a = lo; a < hi; a += 4) s_word[(a - s_lo) >> 2] = (uint16_t)slot_of[idx];
    }
  fclose(f);
  s_block = calloc((size_t)s_nslots, sizeof *s_block);
  s_total = calloc((size_t)s_nslots, sizeof *s_total);
  return s_word && s_block && s_total ? 0 : -1;
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
                                                                int argc, char **argv) {
  (void)info;
  const char *map = NULL;
  for (int i = 0; i < argc; i++) {
    if (strncmp(argv[i], "out=", 4) == 0) strncpy(s_out_path, argv[i] + 4, sizeof s_out_path - 1);
    else if (strncmp(argv[i], "map=", 4) == 0) map = argv[i] + 4;
    else if (strncmp(argv[i], "enter=", 6) == 0) s_enter = strtoull(argv[i] + 6, NULL, 16) & ~1ull;
    else if (strncmp(argv[i], "leave=", 6) == 0) s_leave = strtoull(argv[i] + 6, NULL, 16) & ~1ull;
  }
  if (!map || load_map(map) || !s_enter || !s_leave) {
    fprintf(stderr, "wasm3_profile: needs map=PATH (w3code lines), enter=HEX and leave=HEX\n");
    return -1;
  }
  s_out = fopen(s_out_path, "w");
  if (!s_out) return -1;
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
  qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
  return 0;
}
