import type { CesqlProgram } from './cesql/index.js';

/** A Trigger's `spec.filters` element, as parsed from a manifest (one dialect per element). */
export type FilterSpec =
  | { readonly dialect: 'exact' | 'prefix' | 'suffix'; readonly attributes: Readonly<Record<string, string>> }
  | { readonly dialect: 'all' | 'any'; readonly filters: readonly FilterSpec[] }
  | { readonly dialect: 'not'; readonly filter: FilterSpec }
  | {
      readonly dialect: 'cesql';
      readonly expression: string;
      /** Compiled already when the manifest reader checked the syntax; compiled on demand otherwise. */
      readonly program?: CesqlProgram;
    };

export type FilterDialect = FilterSpec['dialect'];

export const FILTER_DIALECTS: readonly FilterDialect[] = ['exact', 'prefix', 'suffix', 'all', 'any', 'not', 'cesql'];

/** Everything of a Trigger that decides whether an event is delivered. */
export interface TriggerFilterSpec {
  /** Legacy `spec.filter.attributes`; undefined when absent (`filter: {}` included). */
  readonly attributes?: Readonly<Record<string, string>>;
  /** `spec.filters`; an empty list means "use the legacy filter", as in Knative. */
  readonly filters: readonly FilterSpec[];
}
