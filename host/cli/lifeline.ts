// Ends a render whose launcher died. `npx piwip …` and `npm start` run node under `sh -c` under npm: when npm is
// killed (SIGKILL, a closed terminal) the shell and node are re-parented and node would render on alone at full
// CPU. When npm started us (npm_execpath is set) the render checks its parent and grandparent a few times per
// second and stops when either has changed. A direct `node bin/piwip.mjs` (or nohup) is left alone.
import { readFileSync } from 'node:fs';

/** Parent pid of `pid` from /proc (Linux); -1 when it cannot be read. */
function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : -1;
  } catch {
    return -1;
  }
}

export interface Lifeline { alive(): boolean }

// Read when the CLI loads (not when a render starts, after its inputs are read), so a launcher killed during start-up
// is noticed too.
const LAUNCH_PARENT = process.ppid;
const LAUNCH_GRAND = parentOf(LAUNCH_PARENT);

/** A lifeline for this process, or undefined when there is nothing to watch. */
export function npmLifeline(env: NodeJS.ProcessEnv = process.env): Lifeline | undefined {
  if (!env.npm_execpath) return undefined;
  const parent = LAUNCH_PARENT;
  const grand = LAUNCH_GRAND;
  return {
    alive: () => process.ppid === parent && (grand < 0 || parentOf(parent) === grand),
  };
}
