#!/usr/bin/env bash
# npm test: build the engine, run the as-pect specs and the vitest suites, and close with one
# "N passed, N failed" line summing both runners (CI reads that line).
set -u
cd "$(dirname "$0")/.."
mkdir -p build
npm run -s build || { echo "0 passed, 1 failed"; exit 1; }

asp_out=$(npx asp 2>&1); asp_rc=$?
printf '%s\n' "$asp_out" | grep -vE '^\s*$' | tail -n 12
# "[Tests]: 12 / 13" → passed 12 of 13 (as-pect's summary is not a closing line CI knows)
asp_line=$(printf '%s\n' "$asp_out" | sed 's/\x1b\[[0-9;]*m//g' | grep -E '\[Tests\]:' | tail -n 1)
asp_pass=$(printf '%s' "$asp_line" | sed -E 's/.*\[Tests\]: *([0-9]+) *\/ *([0-9]+).*/\1/')
asp_total=$(printf '%s' "$asp_line" | sed -E 's/.*\[Tests\]: *([0-9]+) *\/ *([0-9]+).*/\2/')
[[ "$asp_pass" =~ ^[0-9]+$ ]] || asp_pass=0
[[ "$asp_total" =~ ^[0-9]+$ ]] || asp_total=1
asp_fail=$((asp_total - asp_pass))
if [ "$asp_rc" -ne 0 ] && [ "$asp_fail" -eq 0 ]; then asp_fail=1; fi

npx vitest run --reporter=default --reporter=json --outputFile=build/vitest.json "$@"; vt_rc=$?
read -r vt_pass vt_fail < <(node -e '
  try { const r = JSON.parse(require("fs").readFileSync("build/vitest.json", "utf8"));
        console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites || 0) + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0)); }
  catch { console.log("0 1"); }')
if [ "$vt_rc" -ne 0 ] && [ "$vt_fail" -eq 0 ]; then vt_fail=1; fi

pass=$((asp_pass + vt_pass)); fail=$((asp_fail + vt_fail))
echo "as-pect: $asp_pass passed, $asp_fail failed; vitest: $vt_pass passed, $vt_fail failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
