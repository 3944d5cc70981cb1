import path from 'node:path';
import { celGuardsFor } from '../filters/cel/cluster.js';
import { loadManifests } from '../manifests/load.js';
import { formatProblem } from '../manifests/problems.js';
import { bundleFunctions, FunctionBuildError, IMAGE_BUILD_DIR } from '../serving/function-bundle.js';
import { parseFlags } from './usage.js';

/**
 * `eventyard build` (`npm run build`, which `kn func build` runs): bundles every function of
 * functions/ into build/functions/<name>.cjs, the files the image serves. Manifests with errors
 * stop the build: the CEL filters the image enforces come from them.
 */
export async function buildCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { dir: { type: 'string', default: '.' } });
  const manifests = await loadManifests(values.dir);
  const errors = manifests.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    for (const p of errors) process.stderr.write(`${formatProblem(p)}\n`);
    process.stderr.write(`eventyard build: the manifests have ${errors.length} error(s); nothing was built\n`);
    return 1;
  }
  try {
    const bundles = await buildFunctions(values.dir, manifests.functions);
    for (const [name, file] of bundles) process.stdout.write(`built ${name}: ${path.relative(process.cwd(), file)}\n`);
  } catch (err) {
    if (!(err instanceof FunctionBuildError)) throw err;
    process.stderr.write(`eventyard build: ${err.message}\n`);
    return 1;
  }
  return 0;
}

/** Bundles some functions of the project in `dir` into build/functions/. */
export async function buildFunctions(dir: string, names: readonly string[]): Promise<Map<string, string>> {
  const manifests = await loadManifests(dir);
  const functions = names.map((name) => ({ name, celGuards: celGuardsFor(manifests, dir, name) }));
  return bundleFunctions(dir, functions, path.join(dir, IMAGE_BUILD_DIR));
}
