// `piwip connect --crow [PORT]`: the option's parsing and start-up, for the connect command (host/cli) to call.
// parseArgs has no optional values, so `--crow` is taken out of argv first: `--crow`, `--crow PORT` (a device path
// or COMn right after it) or `--crow=PORT`.
import type { LinkClient } from '../link/client.ts';
import { clientSide, runCrowBridge, type CrowBridge } from './bridge.ts';
import type { CrowMapOptions } from './mapping.ts';
import { UsageError } from '../cli/io.ts';

export const CROW_HELP = `  --crow [PORT]         also drive crow (found by USB id 0483:5740, or at PORT): out 1 = the played note at
                        1 V/oct ((note-60)/12), out 2 = a gate per note, in 1 = a rising edge arms recording (K2)
`;

export interface CrowOption { port?: string }

/** Remove --crow [PORT] from argv; crow is null when the option is absent. */
export function takeCrowOption(argv: readonly string[]): { argv: string[]; crow: CrowOption | null } {
  const out: string[] = [];
  let crow: CrowOption | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { out.push(...argv.slice(i)); break; }
    if (a === '--crow') {
      crow = {};
      const next = argv[i + 1];
      if (next !== undefined && (next.startsWith('/') || /^COM\d+$/i.test(next))) { crow.port = next; i++; }
    } else if (a.startsWith('--crow=')) {
      const p = a.slice(7);
      if (!p) throw new UsageError('--crow= needs a port (or leave out "=" to find crow by its USB id)');
      crow = { port: p };
    } else out.push(a);
  }
  return { argv: out, crow };
}

/** Start the crow bridge on a connected client; log lines go to `log`. */
export function startCrow(client: LinkClient, opt: CrowOption, log: (line: string) => void, map?: Partial<CrowMapOptions>): Promise<CrowBridge> {
  return runCrowBridge({ link: clientSide(client), port: opt.port, map, log });
}
