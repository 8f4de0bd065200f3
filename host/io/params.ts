// Param ids and values typed by people (command line, events files) checked against the engine's param table
// (ParamInfo: min/max/step/options). Refuses instead of clamping, so a typo never renders something else.
import type { ParamInfo } from '../engine/engine.ts';

export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

/** Spaces, underscores and dashes are interchangeable and case is ignored: `rec_thresh` finds "rec thresh". */
function loose(id: string): string {
  return id.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

export function resolveParam(params: readonly ParamInfo[], id: string): ParamInfo {
  const exact = params.find((p) => p.id === id);
  if (exact) return exact;
  const hits = params.filter((p) => loose(p.id) === loose(id));
  if (hits.length === 1) return hits[0]!;
  const near = params.filter((p) => loose(p.id).includes(loose(id)) || loose(id).includes(loose(p.id))).map((p) => `"${p.id}"`);
  throw new ParamError(`unknown param ${JSON.stringify(id)}${near.length ? ` (did you mean ${near.slice(0, 3).join(' or ')}?)` : ''}`
    + ' — `piwip params` lists them');
}

function fmt(n: number): string {
  return String(Number(n.toPrecision(12)));
}

function describeRange(p: ParamInfo): string {
  if (p.type === 'option') return `one of: ${p.options.map((o, i) => `${o} (${i + 1})`).join(', ')}`;
  const integer = p.type === 'number' || (p.step > 0 && Number.isInteger(p.step) && Number.isInteger(p.min));
  return `${integer ? 'an integer' : 'a number'} from ${fmt(p.min)} to ${fmt(p.max)}${p.units ? ` ${p.units}` : ''}`
    + (p.step > 0 && p.step !== 1 ? ` in steps of ${fmt(p.step)}` : '');
}

/**
 * The raw engine value for `value` (a number, a numeric string, or an option name, case-insensitive).
 * Options are 1-based as in the engine. Throws ParamError when the value is not one the engine would keep as is.
 */
export function checkParamValue(p: ParamInfo, value: unknown): number {
  let v: number;
  if (typeof value === 'number') v = value;
  else if (typeof value === 'string') {
    const k = p.options.findIndex((o) => o.toLowerCase() === value.trim().toLowerCase());
    if (k >= 0) return k + 1;
    v = value.trim() === '' ? NaN : Number(value);
    if (Number.isNaN(v)) throw new ParamError(`bad value ${JSON.stringify(value)} for param "${p.id}" (expected ${describeRange(p)})`);
  } else {
    throw new ParamError(`bad value ${JSON.stringify(value)} for param "${p.id}" (expected ${describeRange(p)})`);
  }
  if (!Number.isFinite(v)) throw new ParamError(`bad value ${v} for param "${p.id}" (expected ${describeRange(p)})`);
  if (v < p.min || v > p.max) {
    throw new ParamError(`value ${fmt(v)} out of range for param "${p.id}" (expected ${describeRange(p)})`);
  }
  const integer = p.type === 'option' || p.type === 'number' || (p.step === 1 && Number.isInteger(p.min));
  if (integer && !Number.isInteger(v)) {
    throw new ParamError(`value ${fmt(v)} for param "${p.id}" must be a whole number (expected ${describeRange(p)})`);
  }
  if (!integer && p.step > 0) {
    const k = (v - p.min) / p.step;
    if (Math.abs(k - Math.round(k)) > 1e-6) {
      throw new ParamError(`value ${fmt(v)} for param "${p.id}" is not on its ${fmt(p.step)} step (expected ${describeRange(p)})`);
    }
  }
  return v;
}

/** Parse a command-line `id=value`. */
export function parseAssignment(params: readonly ParamInfo[], text: string): { param: ParamInfo; value: number } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ParamError(`--set expects id=value, got ${JSON.stringify(text)}`);
  const param = resolveParam(params, text.slice(0, eq));
  return { param, value: checkParamValue(param, text.slice(eq + 1)) };
}
