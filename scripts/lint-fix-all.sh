#!/usr/bin/env bash
# One run at a sync point, once the branches editing apps/ and libs/ are merged: applies ESLint's autofixes and
# Prettier to the whole repo, then counts, by rule, the errors left to fix by hand. Commit the result on its own
# (a pure reformat), fix what is left, then widen the lint and format gate in .ci/run (its TODO).
set -euo pipefail
cd "$(dirname "$0")/.."

npm run --silent db:generate >/dev/null 2>&1 # typed lint rules need the Prisma client's types
npx eslint --fix . >/dev/null || true       # what it cannot fix is counted below
npx prettier --write --log-level warn .      # after the fixes: merged imports and the like get wrapped

report="$(mktemp)"
trap 'rm -f "$report"' EXIT
if npx eslint --max-warnings 0 --format json --output-file "$report" .; then
  echo "lint-fix-all: the repo is clean; widen the gate in .ci/run."
  exit 0
fi
node -e '
  const files = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const byRule = {};
  for (const f of files) for (const m of f.messages) byRule[m.ruleId ?? "parse error"] = (byRule[m.ruleId ?? "parse error"] ?? 0) + 1;
  console.log("lint-fix-all: left to fix by hand (npx eslint . lists them):");
  for (const [rule, n] of Object.entries(byRule).sort((a, b) => b[1] - a[1])) console.log(String(n).padStart(5), rule);
' "$report"
exit 1
