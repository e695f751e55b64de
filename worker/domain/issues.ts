/** A problem found in an input, located precisely enough for staff to fix it. */
export interface InputIssue {
  readonly severity: 'error' | 'warning';
  readonly file: string;
  /** 1-based spreadsheet row (the header is row 1); for JSON, the 1-based item number. */
  readonly row?: number;
  /** Column header as written in the file, or a path inside a structured file (indicators[3].target). */
  readonly column?: string;
  readonly message: string;
  /** Stable machine-readable kind of problem (FIGURE_UNIT_UNKNOWN, XLSX_TOO_LARGE…), for tests and callers. */
  readonly code?: string;
}

export function formatIssue(i: InputIssue): string {
  const where = [i.file, i.row !== undefined ? `row ${i.row}` : undefined, i.column !== undefined ? `column ${i.column}` : undefined]
    .filter(Boolean)
    .join(', ');
  // The code travels with the line, so the CLI, the queue's failure reason and alerts all carry it.
  return `${i.severity}: ${where}: ${i.message}${i.code ? ` [${i.code}]` : ''}`;
}

/** Thrown at a boundary when input is unusable; carries every issue found, not just the first. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(readonly issues: readonly InputIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}
