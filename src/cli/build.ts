import path from 'node:path';
import { loadManifests, type Manifests } from '../manifests/load.js';
import { formatProblem } from '../manifests/problems.js';
import { bundleFunctions, FunctionBuildError, functionsToBundle, IMAGE_BUILD_DIR } from '../serving/function-bundle.js';
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
    const bundles = await buildFunctions(values.dir, manifests);
    for (const [name, file] of bundles) process.stdout.write(`built ${name}: ${path.relative(process.cwd(), file)}\n`);
  } catch (err) {
    if (!(err instanceof FunctionBuildError)) throw err;
    process.stderr.write(`eventyard build: ${err.message}\n`);
    return 1;
  }
  return 0;
}

/** Bundles functions of the project in `dir` (all by default) into build/functions/. */
export function buildFunctions(dir: string, manifests: Manifests, names?: readonly string[]): Promise<Map<string, string>> {
  return bundleFunctions(dir, functionsToBundle(manifests, dir, names), path.join(dir, IMAGE_BUILD_DIR));
}
