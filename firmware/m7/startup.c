/* Cortex-M7 reset and fault vectors for QEMU mps2-an500: enable the FPU, then hand over to newlib rdimon's
 * _start (zeroes .bss, opens semihosting, calls main, exits through SYS_EXIT). Faults exit QEMU, never hang. */
#include <stdint.h>

extern uint32_t __stack;
extern void _start(void);

void Reset_Handler(void) {
  /* CPACR: full access to CP10/CP11 before any floating-point instruction runs */
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
  __asm volatile("dsb\n isb" ::: "memory");
  _start();
  for (;;) {}
}

/* SYS_EXIT (0x18) with ADP_Stopped_RunTimeError: QEMU quits with a non-zero status instead of locking up. */
static void semihost_exit_error(void) {
  register uint32_t r0 __asm("r0") = 0x18;
  register uint32_t r1 __asm("r1") = 0x20023;
  __asm volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
  for (;;) {}
}

static void write0(const char *s) {
  register uint32_t r0 __asm("r0") = 0x04; /* SYS_WRITE0 */
  register const char *r1 __asm("r1") = s;
  __asm volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
}

void Fault_Handler(void) {
  write0("piwip-m7: CPU fault (hard/mem/bus/usage)\n");
  semihost_exit_error();
}

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &__stack,       Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler,  0,             0,             0,             0,             Fault_Handler,
    Fault_Handler,  0,             Fault_Handler, Fault_Handler,
};
