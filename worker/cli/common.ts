import { displayPath } from '../display-path.ts';
import { InvalidArgumentError, Option } from 'commander';
import { parsePeriod, PeriodError, type Period } from '../domain/period.ts';
import type { Evaluation } from '../domain/evaluate.ts';
import { EXIT, reportError } from './errors.ts';
import { cliLang } from '../errors/index.ts';
import { issueText, type InputIssue } from '../domain/issues.ts';

export const out = (line = '') => process.stdout.write(line + '\n');
export const rel = (p: string) => displayPath(p);

export function periodArg(text: string): Period {
  try {
    return parsePeriod(text);
  } catch (e) {
    // In Chinese the error itself goes up to reportError (commander would put its English lead before it).
    if (e instanceof PeriodError && cliLang() === 'zh') throw e;
    throw new InvalidArgumentError(e instanceof PeriodError ? e.message : String(e));
  }
}

export const reportOption = () => new Option('-r, --report <id>', 'report id: a folder under jobs/, e.g. yuquan-2023').makeOptionMandatory();
export const periodOption = () => new Option('-p, --period <period>', 'reporting period: 2023Q3, 2023-11 or 2023年1-9月').argParser(periodArg);
export const toOption = () =>
  new Option('--to <address...>', "send only to these addresses instead of the job's recipients (e.g. yourself)").argParser((v: string, prev: string[] | undefined) => {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) throw new InvalidArgumentError(`"${v}" is not an email address`);
    return [...(prev ?? []), v];
  });
export const figuresOption = () => new Option('-f, --figures <file>', "read figures from this CSV/XLSX file instead of the job's source");

/** The counts of the statuses that apply to the period (完成/未完成 at year end; 年底考核 only when used). */
export function countsLine(e: Pick<Evaluation, 'counts' | 'scheme'>): string {
  return e.scheme.statuses
    .filter((s) => !s.optional || e.counts[s.status] > 0)
    .map((s) => `${s.label} ${e.counts[s.status]}`)
    .join(' · ');
}

/** A warning of `check`, in the CLI's language, with its code. */
export function warningLine(w: InputIssue): string {
  return cliLang() === 'zh' ? `    提示：${issueText(w, 'zh')}${w.code ? ` [${w.code}]` : ''}` : `    warning: ${w.message}`;
}

export async function guarded(fn: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await fn()) ?? EXIT.ok;
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

