// npm run eval:follow — the follower preset of a piwip checkout on the follow-eval harness (HOLD / HARMONY), beside
// the stored anchor and baseline rows.
//
// It expects the shared folder beside the checkout (../shared, as
// `npm run eval:pitch` does), copies ../shared/pitch-eval and ../shared/follow-eval into .eval/ (gitignored),
// builds the pitch corpus there if it is missing (needs Debian `fluidsynth`), runs piwip-follower on this checkout
// (the harness builds the engine wasm if it is missing or older than assembly/) and prints the tables.
//   node tools/eval-follow.mjs [--classic] [--no-tune] [--phrases REGEX] [--set ID=VALUE ...] [--no-bench]
//   default: piwip-tune (the pitch-synchronous shifter preset, `--set mode=tune`) and piwip-follower;
//   --classic: also piwip-classic (--set detector=classic); --set: passed to every render
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.resolve(ROOT, '../shared');
const EVAL = path.join(ROOT, '.eval');
const PITCH = path.join(EVAL, 'pitch-eval'), FOLLOW = path.join(EVAL, 'follow-eval');
const OUT = path.join(EVAL, 'follow-results');

const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const opt = (f) => { const i = argv.indexOf(f); return i >= 0 ? argv[i + 1] : undefined; };
// piwip-tune: the follower preset with the pitch-synchronous shifter (`--set shifter=psola`, what E1 4 "tune" selects
// for notes; its autotune voice stays off so HOLD/HARMONY hear only the MIDI notes)
const TUNE_SETS = ['--set', 'shifter=psola'];
const systems = [...(flag('--no-tune') ? [] : ['piwip-tune']), 'piwip-follower', ...(flag('--classic') ? ['piwip-classic'] : [])];
const sets = argv.flatMap((a, i) => (a === '--set' && argv[i + 1] !== undefined ? ['--set', argv[i + 1]] : []));
const extra = [...(opt('--phrases') ? ['--phrases', opt('--phrases')] : []), ...sets, ...(flag('--no-bench') ? ['--no-bench'] : [])];

// Under `npm run`, PATH starts with this package's node_modules/.bin, which can hold an old `npm` (a dependency's
// dependency) that cannot read lockfile v3; npm also exports npm_config_* / npm_package_* for THIS package.
// Children get the system npm and none of those variables.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
childEnv.PATH = (process.env.PATH ?? '').split(path.delimiter).filter((d) => !/node_modules[/\\]\.bin/.test(d)).join(path.delimiter);

function run(cmd, args, cwd = ROOT) {
  console.error(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: childEnv });
}

/** Copies ../shared/NAME to .eval/NAME, leaving out node_modules/, the corpus and `skip` (paths inside NAME). */
function copyHarness(name, skip) {
  const src = path.join(SHARED, name), dst = path.join(EVAL, name);
  if (!existsSync(src)) throw new Error(`harness not found at ${src}`);
  mkdirSync(dst, { recursive: true });
  cpSync(src, dst, {
    recursive: true,
    filter: (p) => { const rel = path.relative(src, p).split(path.sep).join('/'); return !(rel === 'node_modules' || rel.startsWith('node_modules/') || rel === 'corpus' || rel.startsWith('corpus/') || skip.some((s) => rel === s || rel.startsWith(`${s}/`))); },
  });
  if (!existsSync(path.join(dst, 'node_modules'))) run('npm', [existsSync(path.join(dst, 'package-lock.json')) ? 'ci' : 'install', '--no-audit', '--no-fund'], dst);
  return dst;
}

// 1. the pitch corpus (shared with `npm run eval:pitch`: the same .eval/pitch-eval)
copyHarness('pitch-eval', ['results']);
if (!existsSync(path.join(PITCH, 'corpus/manifest.json'))) {
  try { execFileSync('fluidsynth', ['--version'], { stdio: 'ignore' }); } catch {
    throw new Error('fluidsynth is missing: apt-get install -y --no-install-recommends fluidsynth');
  }
  run('node', ['build-corpus.mjs'], PITCH);
}

// 2. the follow harness, with its stored rows (results/*.json) but not its runs/; stale stored rows go first
if (existsSync(path.join(FOLLOW, 'results'))) for (const f of readdirSync(path.join(FOLLOW, 'results'))) if (f.endsWith('.json') || f.endsWith('.md')) rmSync(path.join(FOLLOW, 'results', f));
copyHarness('follow-eval', ['results/runs']);

// 3. this checkout (the corpus is found at ../pitch-eval/corpus from the harness folder, i.e. .eval/pitch-eval/corpus)
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const outs = systems.map((s) => path.join(OUT, `${s}.json`));
systems.forEach((s, i) => run('node', ['run.mjs', 'run', '--system', s === 'piwip-tune' ? 'piwip-follower' : s, ...(s === 'piwip-tune' ? TUNE_SETS : []),
  '--project', ROOT, '--quiet', '--out', outs[i], ...extra], FOLLOW));

// 4. the stored rows and this checkout's, in one table
run('node', ['run.mjs', 'report', ...outs.flatMap((f) => ['--with', f]), '--md', path.join(OUT, 'table.md')], FOLLOW);
console.error(`results: ${path.relative(ROOT, OUT)}/ (table.md, one JSON per system)`);
