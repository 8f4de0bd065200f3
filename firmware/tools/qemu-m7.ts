// The Cortex-M7 under QEMU as every M7 bench and test runs an image: the mps2-an500 board, instruction counting
// (-icount shift=0, so the SysTick figures are deterministic) and the image's argv through semihosting, one `arg=`
// per word (QEMU ends the option's value at a space). Pure: the callers spawn QEMU and judge its exit.

/** qemu-system-arm's arguments for `elf` run as `piwip-m7 argv…`; `extra` (plugins, -d) go before the image. */
export function m7QemuArgs(elf: string, argv: string[], extra: string[] = []): string[] {
  const semi = ['enable=on', 'target=native', 'arg=piwip-m7', ...argv.map((a) => `arg=${a}`)].join(',');
  return ['-M', 'mps2-an500', '-cpu', 'cortex-m7', '-nographic', '-icount', 'shift=0', ...extra,
    '-semihosting-config', semi, '-kernel', elf];
}

/** The key=value lines an image prints (firmware/core/scenario.c); other lines are ignored. */
export function parseKv(out: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1);
  }
  return kv;
}
