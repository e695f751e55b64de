import { renderMessage, type Lang, type MessageCode, type Params } from './messages.ts';

/** A problem found in an input, located precisely enough for staff to fix it. */
export interface InputIssue {
  readonly severity: 'error' | 'warning';
  readonly file: string;
  /** 1-based spreadsheet row (the header is row 1); for JSON, the 1-based item number. */
  readonly row?: number;
  /** Column header as written in the file, or a path inside a structured file (indicators[3].target). */
  readonly column?: string;
  /** The English text (the CLI outside a Chinese locale, logs); `code` + `params` render it in either language. */
  readonly message: string;
  /** Stable machine-readable kind of problem (FIGURE_UNIT_UNKNOWN, XLSX_TOO_LARGE…), for tests and callers. */
  readonly code?: string;
  /** The values the catalogue's text for `code` is made of (cell text, indicator name, expected unit…). */
  readonly params?: Params;
}

export interface IssueWhere {
  readonly file: string;
  readonly row?: number | undefined;
  readonly column?: string | undefined;
}

/** An issue from the catalogue: its English message rendered now, its code and values kept for any language. */
export function catalogIssue(severity: InputIssue['severity'], code: MessageCode, params: Params, where: IssueWhere): InputIssue {
  return {
    severity,
    file: where.file,
    ...(where.row !== undefined ? { row: where.row } : {}),
    ...(where.column !== undefined ? { column: where.column } : {}),
    message: renderMessage(code, params, 'en')!,
    code,
    params,
  };
}

/** The issue's text in `lang`: from the catalogue where the code has an entry, else the English message as given. */
export function issueText(i: InputIssue, lang: Lang = 'en'): string {
  if (lang === 'en') return i.message;
  // Not (yet) in the catalogue (a schema's detail on a configuration file): a Chinese lead, the detail as written.
  if (!i.code) return `输入或配置有误（原文）：${i.message}`;
  // A code raised without values (CodedInputError from a config check) keeps its English detail after the Chinese lead.
  if (!i.params) {
    const lead = renderMessage(i.code, {}, 'zh');
    return lead === undefined ? i.message : `${lead}（${i.message}）`;
  }
  return renderMessage(i.code, i.params, 'zh') ?? i.message;
}

const SPREADSHEET = /\.(csv|tsv|txt|xlsx|xlsm|xls)$/i;

export function formatIssue(i: InputIssue, lang: Lang = 'en'): string {
  // The code travels with the line, so the CLI, the queue's failure reason and alerts all carry it.
  const code = i.code ? ` [${i.code}]` : '';
  if (lang === 'zh') {
    // A spreadsheet's column is a 列; in a YAML or JSON file `column` holds a field's path, a 项.
    const column = i.column === undefined ? undefined : `“${i.column}”${SPREADSHEET.test(i.file) ? '列' : '项'}`;
    const where = [i.file, i.row !== undefined ? `第 ${i.row} 行` : undefined, column].filter(Boolean).join('，');
    return `${i.severity === 'error' ? '错误' : '提示'}：${where}：${issueText(i, 'zh')}${code}`;
  }
  const where = [i.file, i.row !== undefined ? `row ${i.row}` : undefined, i.column !== undefined ? `column ${i.column}` : undefined]
    .filter(Boolean)
    .join(', ');
  return `${i.severity}: ${where}: ${i.message}${code}`;
}

/** Thrown at a boundary when input is unusable; carries every issue found, not just the first. */
export class InputError extends Error {
  override name = 'InputError';
  /** Never retried: the input must change first. */
  readonly retryable = false;
  constructor(readonly issues: readonly InputIssue[]) {
    super(issues.map((i) => formatIssue(i)).join('\n'));
  }
  /** The first error's code, or INPUT_INVALID when it has none. */
  get code(): string {
    return this.issues.find((i) => i.severity === 'error' && i.code)?.code ?? 'INPUT_INVALID';
  }
}
