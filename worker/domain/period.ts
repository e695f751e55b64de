/**
 * A reporting period: the year-to-date span from January to `month` of `year`.
 * Quarters are the YTD spans that end on a quarter's last month (Q3 = 1–9月).
 */
export type Month = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12;
export type Quarter = 1 | 2 | 3 | 4;

export type Period =
  | { readonly kind: 'quarter'; readonly year: number; readonly quarter: Quarter; readonly month: 3 | 6 | 9 | 12 }
  | { readonly kind: 'month'; readonly year: number; readonly month: Month };

export class PeriodError extends Error {
  override name = 'PeriodError';
  readonly code = 'PERIOD_INVALID';
  readonly retryable = false;
  /** The text that is not a period, for the catalogue's Chinese message. */
  constructor(message: string, readonly params: { readonly text?: string } = {}) {
    super(message);
  }
}

const QUARTER_RE = /^(\d{4})[Qq]([1-4])$/;
const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
// "2023年1-9月", "2023年1—9月", "2023年1至9月"
const CN_RANGE_RE = /^(\d{4})年\s*1\s*[-–—~至到]\s*(\d{1,2})\s*月$/;
const QUARTER_NAMES: Record<Quarter, string> = { 1: '一季度', 2: '上半年', 3: '前三季度', 4: '全年' };
const CN_QUARTER_NAMES: Record<string, Quarter> = { 一季度: 1, 第一季度: 1, 上半年: 2, 前三季度: 3, 全年: 4 };

export function quarterPeriod(year: number, quarter: Quarter): Period {
  assertYear(year);
  return { kind: 'quarter', year, quarter, month: (quarter * 3) as 3 | 6 | 9 | 12 };
}

export function monthPeriod(year: number, month: number): Period {
  assertYear(year);
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new PeriodError(`month must be 1–12, got ${month}`);
  }
  return { kind: 'month', year, month: month as Month };
}

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < 1900 || year > 2999) {
    throw new PeriodError(`year must be a four-digit year, got ${year}`);
  }
}

/**
 * Parses `2023Q3`, `2023-09`, `2023年1-9月` or `2023年前三季度`.
 * A Chinese month range that ends on a quarter month is a quarter, because that
 * is how statistics offices label quarterly YTD figures.
 */
export function parsePeriod(text: string): Period {
  const s = text.trim();
  let m = QUARTER_RE.exec(s);
  if (m) return quarterPeriod(Number(m[1]), Number(m[2]) as Quarter);
  m = MONTH_RE.exec(s);
  if (m) return monthPeriod(Number(m[1]), Number(m[2]));
  m = CN_RANGE_RE.exec(s);
  if (m) {
    const month = Number(m[2]);
    if (month % 3 === 0 && month >= 3 && month <= 12) return quarterPeriod(Number(m[1]), (month / 3) as Quarter);
    return monthPeriod(Number(m[1]), month);
  }
  const cn = /^(\d{4})年?(.+)$/.exec(s);
  if (cn) {
    const q = CN_QUARTER_NAMES[cn[2]!.trim()];
    if (q) return quarterPeriod(Number(cn[1]), q);
  }
  throw new PeriodError(`"${text}" is not a period; expected e.g. 2023Q3, 2023-09 or 2023年1-9月`, { text });
}

export function periodId(p: Period): string {
  return p.kind === 'quarter' ? `${p.year}Q${p.quarter}` : `${p.year}-${String(p.month).padStart(2, '0')}`;
}

export function samePeriod(a: Period, b: Period): boolean {
  return a.year === b.year && a.month === b.month;
}

/** Months elapsed in the year, 1–12. */
export function monthsElapsed(p: Period): Month {
  return p.month;
}

/** 时序进度 as a percentage: months elapsed / 12. */
export function scheduleProgress(p: Period): number {
  return (p.month / 12) * 100;
}

/** "1-9月" */
export function monthRangeLabel(p: Period): string {
  return p.month === 1 ? '1月' : `1-${p.month}月`;
}

/** "前三季度" for quarters, "1-11月" for months. */
export function periodName(p: Period): string {
  if (p.kind === 'quarter') return QUARTER_NAMES[p.quarter];
  return monthRangeLabel(p);
}

/** "2023年前三季度" / "2023年1-11月" */
export function periodTitle(p: Period): string {
  return `${p.year}年${periodName(p)}`;
}

/** The last day of the period, as an ISO date. */
export function periodEndDate(p: Period): string {
  const last = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(last).padStart(2, '0')}`;
}

/** The period immediately before, within the same year; undefined for the first one. */
export function previousPeriod(p: Period): Period | undefined {
  if (p.kind === 'quarter') return p.quarter === 1 ? undefined : quarterPeriod(p.year, (p.quarter - 1) as Quarter);
  return p.month === 1 ? undefined : monthPeriod(p.year, p.month - 1);
}
