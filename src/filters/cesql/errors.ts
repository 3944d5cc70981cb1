/** The seven error types of CESQL v1 §3.3, named as the TCK names them. */
export type CesqlErrorKind =
  | 'parse'
  | 'math'
  | 'cast'
  | 'missingFunction'
  | 'functionEvaluation'
  | 'missingAttribute'
  | 'generic';

export class CesqlError extends Error {
  readonly kind: CesqlErrorKind;

  constructor(kind: CesqlErrorKind, message: string) {
    super(message);
    this.name = 'CesqlError';
    this.kind = kind;
  }
}

export class CesqlParseError extends CesqlError {
  /** 0-based offset (UTF-16 code units) into `expression`. */
  readonly position: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly expression: string;

  constructor(problem: string, expression: string, position: number) {
    const { line, column } = lineAndColumn(expression, position);
    super('parse', `CESQL parse error at line ${line}, column ${column} (offset ${position}): ${problem}`);
    this.name = 'CesqlParseError';
    this.position = position;
    this.line = line;
    this.column = column;
    this.expression = expression;
  }
}

export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(position, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}

/**
 * Errors raised while evaluating describe the expression and the event, not our call stack, and a
 * filter that misses an attribute raises one per event, so skip the costly stack capture.
 */
export function evaluationError(kind: CesqlErrorKind, message: string): CesqlError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new CesqlError(kind, message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Keeps event-controlled text short when it is quoted in an error message. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 61)}...` : text);
}
