import { withCode } from '../error-codes.ts';
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

/**
 * The source could not be reached, answered with an error, or sent its answer too slowly;
 * retrying later may help. The code (also at the end of the message) tells which.
 */
export class SourceUnavailableError extends Error {
  override name = 'SourceUnavailableError';
  readonly code: 'SOURCE_UNAVAILABLE' | 'SOURCE_SLOW';
  /** Retrying later may help: the queue retries it. */
  readonly retryable = true;
  constructor(message: string, code: 'SOURCE_UNAVAILABLE' | 'SOURCE_SLOW' = 'SOURCE_UNAVAILABLE') {
    super(withCode(code, message));
    this.code = code;
  }
}
