/**
 * Validates manifests against the real CRD schemas (vendored in ./crds by scripts/vendor-crds.ts) and
 * rejects unknown fields the way Knative's webhook does, plus func.yaml against func's JSON Schema.
 *
 *   const crds = new CrdRegistry();            // Knative's CRDs, preloaded
 *   crds.add(projectCrdDoc);                   // a CRD from the project's sources/: undefined or an error
 *   crds.problems(doc, problemList);           // one error per violation, at its dotted field path
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { mapSchema, parseCrd, type CrdDefinition, type SchemaNode } from './crd-definition.js';
import { ISO8601_DURATION, TRIGGER_ATTRIBUTE_NAME, WEBHOOK_RULES } from './crd-webhook-rules.js';
import { parseIsoDuration } from './duration.js';
import { describe, isObject } from './fields.js';
import { ProblemList, type Problem } from './problems.js';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, INT32_MAX, INT32_MIN, LABEL_VALUE, QUALIFIED_NAME, strictSchema } from './strict-schema.js';

export interface CrdCheckOptions {
  /**
   * Report fields the Go types would reject (default true). Pass false for kinds whose reader already
   * rejects unknown fields (Broker and Trigger via FieldReader): types, enums and required fields only.
   */
  readonly unknownFields?: boolean;
  /**
   * Skip a problem at a field where the ProblemList already holds an error (default true), so running
   * this after a reader adds only what the reader did not say.
   */
  readonly skipReportedFields?: boolean;
}

type Mode = 'strict' | 'types';
type Origin = 'vendored' | 'project';

const VENDOR_DIR = new URL('./crds/', import.meta.url);

function newAjv(): Ajv {
  // strictTypes off: CRDs write `properties` without `type: object` in places; that is fine here.
  // No code optimisation: it halves the compile of the Service schema (~0.2 s), and a document is small.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false, logger: false, code: { optimize: false } });
  ajv.addFormat(ISO8601_DURATION, { type: 'string', validate: (s: string) => parseIsoDuration(s) !== undefined });
  return ajv;
}

/** Knative's CRDs, read once per process; their compiled validators are shared by every registry. */
let vendored: { defs: CrdDefinition[]; ajv: Ajv; validators: Map<string, ValidateFunction> } | undefined;

function vendoredCrds(): NonNullable<typeof vendored> {
  if (vendored) return vendored;
  const defs: CrdDefinition[] = [];
  for (const file of readdirSync(VENDOR_DIR).sort()) {
    if (!file.endsWith('.json')) continue;
    const content: unknown = JSON.parse(readFileSync(new URL(file, VENDOR_DIR), 'utf8'));
    if (!isObject(content) || !Array.isArray(content.crds) || !isObject(content.schemas)) continue;
    const schemas = content.schemas;
    for (const info of content.crds as Array<Omit<CrdDefinition, 'schemas'> & { servedVersions: string[] }>) {
      const { servedVersions, ...rest } = info;
      const own = Object.fromEntries(servedVersions.map((v) => [v, schemas[`${info.group}/${v}/${info.kind}`] as SchemaNode]));
      defs.push({ ...rest, schemas: own });
    }
  }
  vendored = { defs, ajv: newAjv(), validators: new Map() };
  return vendored;
}

class Entry {
  private readonly validators: Map<string, ValidateFunction>;
  constructor(
    readonly def: CrdDefinition,
    readonly origin: Origin,
    private readonly ajv: Ajv,
    validators?: Map<string, ValidateFunction>,
  ) {
    this.validators = validators ?? new Map();
  }

  /** Compiled on first use, once per version and mode. */
  validator(version: string, mode: Mode): ValidateFunction {
    const key = `${this.def.group}/${version}/${this.def.kind}|${mode}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const schema = this.def.schemas[version];
      if (!schema) throw new Error(`${this.def.kind}.${this.def.group} has no served version ${version}`);
      validate = this.ajv.compile(
        strictSchema(schema, {
          closed: mode === 'strict',
          closePreserved: this.origin === 'vendored',
          context: { group: this.def.group, version, kind: this.def.kind },
          // A project CRD has no webhook behind it: its own schema is all a cluster checks.
          rules: this.origin === 'vendored' ? WEBHOOK_RULES : [],
        }),
      );
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** The CRDs a project's manifests are checked against: Knative's, plus the project's own. */
export class CrdRegistry {
  private readonly entries = new Map<string, Entry>();
  private ajv: Ajv | undefined;

  constructor(options: { vendored?: boolean } = {}) {
    if (options.vendored === false) return;
    const shared = vendoredCrds();
    for (const def of shared.defs) this.entries.set(`${def.group}/${def.kind}`, new Entry(def, 'vendored', shared.ajv, shared.validators));
  }

  /**
   * Registers a CustomResourceDefinition document (apiextensions.k8s.io/v1), so that objects of its
   * kind are validated. Returns undefined when registered, else what is wrong with it.
   */
  add(crd: unknown): string | undefined {
    const def = parseCrd(crd);
    if (typeof def === 'string') return def;
    const key = `${def.group}/${def.kind}`;
    const existing = this.entries.get(key);
    if (existing) {
      return existing.origin === 'vendored'
        ? `${def.kind} in ${def.group} is already defined by Knative's own CRD; a project CRD cannot redefine it`
        : `${def.kind} in ${def.group} is defined by two CustomResourceDefinitions`;
    }
    this.ajv ??= newAjv();
    const entry = new Entry(def, 'project', this.ajv);
    // Compiled now rather than lazily, so that a schema ajv cannot compile is reported against the CRD.
    for (const version of Object.keys(def.schemas)) {
      try {
        entry.validator(version, 'strict');
      } catch (err) {
        return `the schema of version ${version} cannot be used: ${(err as Error).message}`;
      }
    }
    this.entries.set(key, entry);
    return undefined;
  }

  /** Whether objects of this apiVersion's group and this kind have a schema here. */
  has(apiVersion: string, kind: string): boolean {
    const gv = splitApiVersion(apiVersion);
    return gv !== undefined && this.entries.has(`${gv.group}/${kind}`);
  }

  /** Every served `group/version/Kind`. */
  kinds(): string[] {
    return [...this.entries.values()].flatMap(({ def }) => Object.keys(def.schemas).map((v) => `${def.group}/${v}/${def.kind}`)).sort();
  }

  /**
   * Adds one error per violation of the document's schema to `problems`. Returns false when no schema
   * applies (core kinds such as ConfigMap, kinds no CRD here defines), so the caller can decide.
   */
  problems(doc: unknown, problems: ProblemList, options: CrdCheckOptions = {}): boolean {
    if (!isObject(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') return false;
    const gv = splitApiVersion(doc.apiVersion);
    const entry = gv && this.entries.get(`${gv.group}/${doc.kind}`);
    if (!gv || !entry) return false;
    const report = reporter(problems, options.skipReportedFields ?? true);
    const served = Object.keys(entry.def.schemas);
    if (!served.includes(gv.version)) {
      report('apiVersion', `${doc.kind} is served as ${served.map((v) => `${gv.group}/${v}`).join(', ')}; "${doc.apiVersion}" is not`);
      return true;
    }
    const data = pruneNulls(doc);
    const validate = entry.validator(gv.version, options.unknownFields === false ? 'types' : 'strict');
    if (!validate(data)) {
      const why = entry.origin === 'vendored' ? " (Knative's webhook rejects unknown fields)" : ' (not in its CRD schema)';
      for (const p of explain(validate.errors ?? [], data, why)) report(p.field, p.message);
    }
    return true;
  }
}

function splitApiVersion(apiVersion: string): { group: string; version: string } | undefined {
  const slash = apiVersion.lastIndexOf('/');
  if (slash <= 0) return undefined; // the core group ("v1") has no CRDs
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function reporter(problems: ProblemList, skipReported: boolean): (field: string, message: string) => void {
  const seen = new Set(skipReported ? problems.items.filter((p) => p.severity === 'error').map((p) => p.field) : []);
  return (field, message) => {
    if (seen.has(field)) return;
    seen.add(field);
    problems.error(field, message);
  };
}

/**
 * The API server drops fields whose value is null before validating (nullable aside), and Knative's Go
 * types read null as absent, so `spec:` with nothing under it is no error.
 */
function pruneNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneNulls);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = pruneNulls(v);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// From ajv's errors to the project's problems

interface Found {
  readonly field: string;
  readonly message: string;
}

const PATTERN_HELP = new Map<string, string>([
  [DNS1123_SUBDOMAIN, 'lower-case letters, digits, "-" and ".", starting and ending with a letter or digit'],
  [DNS1123_LABEL, 'lower-case letters, digits and "-", starting and ending with a letter or digit'],
  [QUALIFIED_NAME, 'an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'],
  [LABEL_VALUE, 'at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'],
  [TRIGGER_ATTRIBUTE_NAME, 'attribute names are lower-case letters and digits, starting with a letter'],
  ['^[-._a-zA-Z][-._a-zA-Z0-9]*$', 'letters, digits, "-", "_" and ".", not starting with a digit'],
]);

function patternHelp(pattern: string): string {
  // Kubernetes resource quantities (resources.limits, requests, divisor).
  if (pattern.startsWith('^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))')) return 'not a Kubernetes quantity (for example 250m, 0.5, 2, 128Mi, 1Gi)';
  return PATTERN_HELP.get(pattern) ?? `does not match ${pattern}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object (a mapping)',
  array: 'a list',
  null: 'null',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : describe(value);
}

/** JSON Pointer from ajv → the project's dotted path, `[i]` where the data is a list. */
function fieldPath(data: unknown, pointer: string): string {
  if (pointer === '') return '';
  let path = '';
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      path += `[${segment}]`;
      current = current[Number(segment)];
    } else {
      path = path ? `${path}.${segment}` : segment;
      current = isObject(current) ? current[segment] : undefined;
    }
  }
  return path;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

function unknownField(name: string, allowed: string[], why: string): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const close = best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3));
  const list = allowed.length > 0 ? ` Allowed here: ${allowed.join(', ')}.` : '';
  return close ? `unknown field "${name}"${why}; did you mean "${best}"?${list}` : `unknown field "${name}"${why}.${list}`;
}

function bound(keyword: string, limit: number, data: unknown): string {
  const int32 = limit === INT32_MAX || limit === INT32_MIN ? ' (a 32-bit integer)' : '';
  const got = `, got ${String(data)}`;
  switch (keyword) {
    case 'minimum': return `must be at least ${limit}${int32}${got}`;
    case 'maximum': return `must be at most ${limit}${int32}${got}`;
    case 'exclusiveMinimum': return `must be greater than ${limit}${got}`;
    default: return `must be less than ${limit}${got}`;
  }
}

function message(e: ErrorObject, why: string): Found | undefined {
  const params = e.params as Record<string, unknown>;
  const parent = isObject(e.parentSchema) ? e.parentSchema : {};
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return { field: name, message: unknownField(name, isObject(parent.properties) ? Object.keys(parent.properties) : [], why) };
    }
    case 'required':
      return { field: String(params.missingProperty), message: 'is required' };
    case 'propertyNames': {
      const name = String(params.propertyName);
      const pattern = isObject(parent.propertyNames) ? String(parent.propertyNames.pattern) : '';
      return { field: name, message: `"${name}" is not a valid key: ${patternHelp(pattern)}` };
    }
    case 'type': {
      const quote = params.type === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean') ? ' (quote it in YAML)' : '';
      return { field: '', message: `must be ${typeWords(params.type)}, got ${describe(e.data)}${quote}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => (v === '' ? '""' : String(v)));
      return { field: '', message: `${shown(e.data)} is not one of: ${allowed.join(', ')}` };
    }
    case 'anyOf':
    case 'oneOf': {
      const branches = Array.isArray(e.schema) ? (e.schema as unknown[]) : [];
      const types = branches.map((b) => (isObject(b) ? b.type : undefined));
      if (types.every((t) => typeof t === 'string')) return { field: '', message: `must be ${typeWords(types)}, got ${describe(e.data)}` };
      return { field: '', message: `${shown(e.data)} matches none of the allowed forms` };
    }
    case 'pattern':
      return { field: '', message: `${shown(e.data)} is invalid: ${patternHelp(String(params.pattern))}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { field: '', message: bound(e.keyword, Number(params.limit), e.data) };
    case 'maxLength':
      return { field: '', message: `must be at most ${String(params.limit)} characters, got ${String(e.data).length}` };
    case 'minLength':
      return { field: '', message: `must be at least ${String(params.limit)} characters` };
    case 'minItems':
      return { field: '', message: `must list at least ${String(params.limit)} item(s)` };
    case 'maxItems':
      return { field: '', message: `must list at most ${String(params.limit)} item(s)` };
    case 'format':
      if (params.format === ISO8601_DURATION) return { field: '', message: `${shown(e.data)} is not an ISO-8601 duration (for example PT0.2S, PT10S, PT1M)` };
      return { field: '', message: `${shown(e.data)} is not a valid ${String(params.format)}` };
    default:
      return { field: '', message: e.message ?? `is invalid (${e.keyword})` };
  }
}

/** One problem per field: the first (outermost) reason wins; union branches are summed up by the union. */
function explain(errors: readonly ErrorObject[], data: unknown, why: string): Found[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  const out: Found[] = [];
  for (const e of errors) {
    if (unions.some((prefix) => e.schemaPath.startsWith(prefix))) continue;
    // A key's own pattern error: reported once, through its propertyNames error.
    if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined) continue;
    const base = fieldPath(data, e.instancePath);
    // Root metadata is the API server's (kubectl's strict field validation), not the webhook's.
    const found = message(e, base === 'metadata' ? ' (Kubernetes rejects unknown metadata fields)' : why);
    if (!found) continue;
    out.push({ field: found.field ? join(base, found.field) : base, message: found.message });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// func.yaml

/** Runtimes the func CLI knows (`func languages`; others fail with ErrRuntimeNotRecognized). func's schema leaves runtime a free string. */
export const FUNC_RUNTIMES = ['go', 'node', 'python', 'quarkus', 'rust', 'springboot', 'typescript'] as const;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

let funcValidator: ValidateFunction | undefined;

function funcSchemaValidator(): ValidateFunction {
  if (funcValidator) return funcValidator;
  const content: unknown = JSON.parse(readFileSync(new URL('func-yaml.json', VENDOR_DIR), 'utf8'));
  if (!isObject(content) || !isObject(content.schema)) throw new Error(`${fileURLToPath(VENDOR_DIR)}func-yaml.json has no schema; run scripts/vendor-crds.ts`);
  // func's schema says draft-04; what it uses reads the same in ajv's draft-07, minus the $schema markers.
  const schema = mapSchema(content.schema, (node) => {
    const { $schema: _draft, ...rest } = node;
    return rest;
  }) as SchemaNode;
  const ajv = newAjv();
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) });
  funcValidator = ajv.compile(schema);
  return funcValidator;
}

/** Validates a func.yaml: YAML syntax, func's JSON Schema, and the runtimes func knows. */
export function funcYamlProblems(text: string, file: string): Problem[] {
  const problems = new ProblemList({ file, document: 1 });
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.error('', `YAML syntax: ${e.message.split('\n')[0]}`);
    return problems.items;
  }
  const value = pruneNulls(doc.toJS());
  if (!isObject(value)) {
    problems.error('', 'func.yaml must be a YAML mapping with specVersion, name, runtime…');
    return problems.items;
  }
  const validate = funcSchemaValidator();
  const report = reporter(problems, true);
  if (!validate(value)) for (const p of explain(validate.errors ?? [], value, ' (not in the func.yaml schema)')) report(p.field, p.message);
  if (typeof value.runtime === 'string' && !(FUNC_RUNTIMES as readonly string[]).includes(value.runtime)) {
    report('runtime', `"${value.runtime}" is not a runtime func knows: ${FUNC_RUNTIMES.join(', ')}`);
  }
  return problems.items;
}
