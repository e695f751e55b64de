import type { Figures } from '../domain/figures.ts';
import type { InputIssue } from '../domain/issues.ts';
import type { IgnoredRow } from '../domain/figure-table.ts';

/** What a source has for a period: figures, or a distinct "not yet" that a scheduled job waits on. */
export type SourceResult =
  | {
      readonly kind: 'ready';
      readonly figures: Figures;
      readonly warnings: readonly InputIssue[];
      /** What supplied the figures: a label as in messages, and the exact bytes to archive. */
      readonly inputs: readonly SourceInput[];
      /** Rows of statistics tables that name no indicator of the report (listed by `check`). */
      readonly ignored?: readonly IgnoredRow[];
    }
  | { readonly kind: 'not-ready'; readonly reason: string };

export interface SourceInput {
  readonly label: string;
  /** File name inside the snapshot's inputs/figures/. */
  readonly name: string;
  /** A file to copy, or the bytes received (HTTP). */
  readonly path?: string;
  readonly data?: Uint8Array;
}

/** The source could not be reached or answered with an error; retrying later may help. */
export class SourceUnavailableError extends Error {
  override name = 'SourceUnavailableError';
}
