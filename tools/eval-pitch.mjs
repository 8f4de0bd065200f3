// npm run eval:pitch — the pitch follower on the shared realtime pitch-evaluation harness, beside the anchors.
// Builds the engine wasm if needed, copies ../shared/pitch-eval into .eval/pitch-eval, builds its corpus if missing
// (needs Debian `fluidsynth`), runs the follower through host/pitch/adapter.mjs and the anchors, prints the tables.
//   node tools/eval-pitch.mjs [--quick] [--subset REGEX] [--files REGEX] [--query 'key=0.9&...'] [--no-bench]
//   --quick: only the follower and pitchy @1024 (the speed reference); default adds pitchy/aubio-yinfft/ess-yinfft
//            @1024 and @2048 and aubio-yin @2048 (about 5 min of CPU in all).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.resolve(ROOT, '../shared/pitch-eval');
const EVAL = path.join(ROOT, '.eval/pitch-eval');
const WASM = path.join(ROOT, 'build/piwip.wasm');
const ADAPTER = path.join(ROOT, 'host/pitch/adapter.mjs');
const RESULTS = path.join(ROOT, '.eval/results');

const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const opt = (f) => { const i = argv.indexOf(f); return i >= 0 ? argv[i + 1] : undefined; };
const quick = flag('--quick');
const noBench = flag('--no-bench');
const query = opt('--query');
const limit = [];
if (opt('--subset')) limit.push('--subset', opt('--subset'));
if (opt('--files')) limit.push('--files', opt('--files'));

// Under `npm run`, PATH starts with this package's node_modules/.bin, which holds an old `npm` (a dependency's
// dependency) that cannot read the harness's lockfile v3 ("Cannot read properties of undefined"); npm also exports
// npm_config_* / npm_package_* for THIS package. Children get the system npm and none of those variables.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
childEnv.PATH = (process.env.PATH ?? '').split(path.delimiter).filter((d) => !/node_modules[/\\]\.bin/.test(d)).join(path.delimiter);

function run(cmd, args, cwd = ROOT) {
  console.error(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: childEnv });
}

function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestMtime(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

// 1. the engine wasm (the adapter loads the real engine build)
if (!existsSync(WASM) || statSync(WASM).mtimeMs < newestMtime(path.join(ROOT, 'assembly'))) {
  run('npx', ['asc', '--config', 'asconfig.json', '--target', 'release']);
}

// 2. the harness: a private copy (its corpus, node_modules and results stay in the gitignored .eval/)
if (!existsSync(SHARED)) throw new Error(`harness not found at ${SHARED}`);
mkdirSync(EVAL, { recursive: true });
cpSync(SHARED, EVAL, {
  recursive: true,
  filter: (src) => !/[/\\](node_modules|corpus|results)([/\\]|$)/.test(path.relative(SHARED, src) ? '/' + path.relative(SHARED, src) : ''),
});
if (!existsSync(path.join(EVAL, 'node_modules'))) {
  run('npm', [existsSync(path.join(EVAL, 'package-lock.json')) ? 'ci' : 'install', '--no-audit', '--no-fund'], EVAL);
}
if (!existsSync(path.join(EVAL, 'corpus/manifest.json'))) {
  try { execFileSync('fluidsynth', ['--version'], { stdio: 'ignore' }); } catch {
    throw new Error('fluidsynth is missing: apt-get install -y --no-install-recommends fluidsynth');
  }
  run('node', ['build-corpus.mjs'], EVAL);
}

// 3. runs: --frame is the anchors' window (the follower ignores it); the speed bench runs the follower and
//    pitchy @1024 in the same run, the other anchors are scored without bench
rmSync(RESULTS, { recursive: true, force: true });
mkdirSync(RESULTS, { recursive: true });
const follower = `module:${ADAPTER}${query ? `?${query}` : ''}`;
const harness = (frame, dets, out, bench) => run('node', [
  'pitch-eval.mjs', 'run', '--frame', String(frame), '--hop', '256', '--per-instrument', '--quiet',
  ...(bench ? [] : ['--no-bench']), ...limit, '--out', path.join(RESULTS, out), ...dets.flatMap((d) => ['--detector', d]),
], EVAL);
harness(1024, [follower, 'anchor:pitchy'], 'n1024.json', !noBench);
if (!quick) {
  harness(1024, ['anchor:aubio-yinfft', 'anchor:ess-yinfft'], 'n1024b.json', false);
  harness(2048, ['anchor:pitchy', 'anchor:aubio-yinfft', 'anchor:ess-yinfft', 'anchor:aubio-yin'], 'n2048.json', false);
}

// 4. one merged table
const files = readdirSync(RESULTS).filter((f) => f.endsWith('.json')).map((f) => path.join(RESULTS, f));
run('node', ['pitch-eval.mjs', 'report', ...files, '--md', path.join(RESULTS, 'table.md')], EVAL);
console.error(`results: ${path.relative(ROOT, RESULTS)}/ (table.md, one JSON per detector)`);
