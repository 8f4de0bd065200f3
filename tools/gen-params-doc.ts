// Regenerates the params table in README.md (between the PARAMS markers) from the engine's own param table,
// so the docs can never drift from the wasm: node bin/run-ts.mjs tools/gen-params-doc.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { PiwipEngine } from '../host/engine/engine.ts';

const e = PiwipEngine.create({ maxRecSeconds: 1 });
const rows = e.params().map((p) => {
  const range = p.type === 'option' ? p.options.join(' / ') : `${p.min} … ${p.max}${p.step ? ` (step ${p.step})` : ''}`;
  const def = p.type === 'option' ? p.options[p.default - 1] : p.formatted;
  return `| ${p.group} | \`${p.id}\` | ${p.type}${p.type === 'taper' && p.k ? ` k=${p.k}` : ''} | ${range} | ${def} | ${p.units} |`;
});
const table = ['| group | id | type | range / options | default | units |', '|---|---|---|---|---|---|', ...rows].join('\n');
const readme = readFileSync('README.md', 'utf8');
const re = /(<!-- PARAMS:BEGIN[^>]*-->)[\s\S]*?(<!-- PARAMS:END -->)/;
if (!re.test(readme)) throw new Error('README.md has no PARAMS markers');
const next = readme.replace(re, `$1\n${table}\n$2`);
if (process.argv.includes('--check')) {
  if (next !== readme) { console.error('README.md params table is out of date: run npm run docs'); process.exit(1); }
  console.log('README params table up to date');
} else {
  writeFileSync('README.md', next);
  console.log(`README.md: ${rows.length} params`);
}
