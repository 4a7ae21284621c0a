#!/usr/bin/env node
// Lint step: finds import cycles among the TypeScript sources of packages/*/src (issue 15).
// It reads every relative `import … from './x.js'` / `export … from` / `import('./x.js')` of the
// .ts and .tsx files (type-only imports included: a cycle of types is still a cycle of modules),
// builds the graph and prints each cycle as a path. Exits 1 if there is any.
// `--root DIR` checks another tree (tests use a fixture).
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every .ts/.tsx file under `dir`, recursively (tests too: they cannot be imported by sources). */
function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.tsx?$/.test(name) && !/\.d\.ts$/.test(name)) out.push(full);
  }
  return out;
}

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The file a relative specifier names: `./x.js` is `./x.ts` or `./x.tsx` in the sources. */
function resolveSpecifier(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, base, path.join(base, 'index.ts')]) {
    if (/\.tsx?$/.test(candidate) && existsSync(candidate)) return candidate;
  }
  return null;
}

/** Strips comments so that an import written in a comment is not read as one. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The import graph: file → the source files it imports. */
export function importGraph(files) {
  const graph = new Map();
  for (const file of files) {
    const deps = new Set();
    const text = stripComments(readFileSync(file, 'utf8'));
    for (const m of text.matchAll(IMPORT_RE)) {
      const target = resolveSpecifier(file, m[1] ?? m[2]);
      if (target !== null) deps.add(target);
    }
    graph.set(file, [...deps].sort());
  }
  return graph;
}

/** Each elementary cycle found by depth-first search, once (as the path from its first file back to it). */
export function findCycles(graph) {
  const cycles = [];
  const seen = new Set();
  const state = new Map(); // 1 = on the stack, 2 = done
  const stack = [];
  const visit = (node) => {
    state.set(node, 1);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 1) {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
        const key = canonical.join('\n');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...canonical, canonical[0]]);
        }
      } else if (state.get(next) === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const node of [...graph.keys()].sort()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

/** The cycles among the sources of every packages/<name>/src under `root`. */
export function cyclesUnder(root) {
  const packages = path.join(root, 'packages');
  const files = readdirSync(packages)
    .map((p) => path.join(packages, p, 'src'))
    .filter((dir) => existsSync(dir))
    .flatMap(sourceFiles);
  return findCycles(importGraph(files)).map((c) => c.map((f) => path.relative(root, f)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rootArg = process.argv.indexOf('--root');
  const root =
    rootArg >= 0
      ? path.resolve(process.argv[rootArg + 1])
      : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const cycles = cyclesUnder(root);
  for (const c of cycles) console.error(`import cycle: ${c.join(' -> ')}`);
  if (cycles.length > 0)
    console.error(`${String(cycles.length)} import cycle(s) in packages/*/src`);
  process.exit(cycles.length > 0 ? 1 : 0);
}
