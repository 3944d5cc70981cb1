/** Where a manifest document sits: its file and its 1-based position among the file's documents. */
export interface DocumentLocation {
  readonly file: string;
  readonly document: number;
}

export type Severity = 'error' | 'warning';

/** One thing wrong with a manifest, pointing at the file, document and field. */
export interface Problem {
  readonly severity: Severity;
  readonly location: DocumentLocation;
  /** Dotted path of the field, e.g. `spec.delivery.retry`; empty for the whole document. */
  readonly field: string;
  readonly message: string;
  /** A short name of the object, e.g. `Trigger default/render-tile`, when known. */
  readonly object?: string;
}

export function formatProblem(p: Problem): string {
  const where = `${p.location.file} (document ${p.location.document})`;
  const what = p.object ? ` ${p.object}` : '';
  const field = p.field ? ` field ${p.field}:` : ':';
  return `${p.severity}: ${where}${what}${field} ${p.message}`;
}

/** Collects problems for one document, so parsers can go on and report every problem at once. */
export class ProblemList {
  readonly items: Problem[] = [];
  constructor(
    readonly location: DocumentLocation,
    public object?: string,
  ) {}

  error(field: string, message: string): void {
    this.items.push({ severity: 'error', location: this.location, field, message, object: this.object });
  }

  warn(field: string, message: string): void {
    this.items.push({ severity: 'warning', location: this.location, field, message, object: this.object });
  }

  get hasErrors(): boolean {
    return this.items.some((p) => p.severity === 'error');
  }
}

/** Thrown when manifests cannot be run; carries every problem found. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(readonly problems: readonly Problem[]) {
    super(problems.filter((p) => p.severity === 'error').map(formatProblem).join('\n'));
  }
}
