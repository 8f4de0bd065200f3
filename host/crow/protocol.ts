// crow's text protocol (monome/crow lib/caw.c; monome/druid src/druid/crow.py): pure, no I/O.
// To crow: each chunk is a line of Lua; crow runs it when a USB packet ends in \0, \n or \r (caw.c:143-149), so a
// write whose length is an exact multiple of 64 bytes gets one more \n, as druid's writebin does (crow.py:80-84).
// From crow: lines end "\n\r" (caw.c:42); `^^name(args)` lines are events (druid process_line, crow.py:138-150);
// a line starting with "\" is a Lua error.

export const CROW_BAUD = 115200;
export const CROW_VID = '0483', CROW_PID = '5740';

/** The bytes to write for one line of Lua (druid writeline: line + "\r\n"). */
export function crowChunk(line: string): Buffer {
  let b = Buffer.from(line + '\r\n', 'utf8');
  if (b.length % 64 === 0) b = Buffer.concat([b, Buffer.from('\n')]);
  return b;
}

/** A number as crow/norns quote it: 6 significant digits (lua/core/crow/quote.lua uses %.6g). */
export function crowNumber(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const s = Number(v.toPrecision(6)).toString();
  return s === '-0' ? '0' : s;
}

export type CrowMessage =
  | { kind: 'event'; name: string; args: (number | string)[] }
  | { kind: 'error'; text: string }
  | { kind: 'output'; text: string };

function parseArg(a: string): number | string {
  const t = a.trim();
  if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return Number(t);
  const q = /^(['"])(.*)\1$/.exec(t);
  return q ? q[2]! : t;
}

/** Splits what crow sends into lines (across reads) and events. */
export class CrowParser {
  private buf = '';
  push(text: string): CrowMessage[] {
    this.buf += text;
    const out: CrowMessage[] = [];
    const parts = this.buf.split(/\n\r|\r\n|\n|\r/);
    this.buf = parts.pop() ?? '';
    for (const line of parts) {
      if (!line) continue;
      if (line.startsWith('\\')) { out.push({ kind: 'error', text: line.slice(1) }); continue; }
      if (line.includes('^^')) {
        for (const cmd of line.split('^^')) {
          const m = /^\s*([A-Za-z_][\w]*)\s*(?:\((.*)\))?\s*$/.exec(cmd);
          if (!m) continue;
          const args = m[2] === undefined || m[2].trim() === '' ? [] : m[2].split(',').map(parseArg);
          out.push({ kind: 'event', name: m[1]!, args });
        }
      } else out.push({ kind: 'output', text: line });
    }
    return out;
  }
}
