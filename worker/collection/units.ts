import type { Indicator, KeyTask, Report } from '../domain/report.ts';

/** What one lead unit (牵头单位) reports: its indicators and key tasks, in the targets file's order. */
export interface UnitItems {
  readonly unit: string;
  readonly indicators: readonly Indicator[];
  readonly tasks: readonly KeyTask[];
}

/**
 * The reporting units of a report. An item with several lead units is reported by the first
 * one named: two units filling the same row would report it twice (FIGURE_REPORTED_TWICE).
 */
export function reportingUnits(report: Report): UnitItems[] {
  const by = new Map<string, { unit: string; indicators: Indicator[]; tasks: KeyTask[] }>();
  const get = (unit: string) => {
    let u = by.get(unit);
    if (!u) by.set(unit, (u = { unit, indicators: [], tasks: [] }));
    return u;
  };
  for (const i of report.indicators) if (i.lead[0]) get(i.lead[0]).indicators.push(i);
  for (const t of report.tasks) if (t.lead[0]) get(t.lead[0]).tasks.push(t);
  return [...by.values()];
}

/** A unit name as part of a file name: what Windows and WPS refuse in file names replaced. */
export function unitFileName(unit: string): string {
  return unit.replace(/[\\/:*?"<>|\s]+/g, '_');
}

/** `区发改委_2023Q3_报送模板.xlsx` */
export function templateFileName(unit: string, periodId: string): string {
  return `${unitFileName(unit)}_${periodId}_报送模板.xlsx`;
}

/** Names under `collection.units` that lead nothing in the report: a typo there silences a unit's reminder. */
export function unknownUnits(named: readonly string[], report: Report): string[] {
  const leads = new Set(reportingUnits(report).map((u) => u.unit));
  return named.filter((n) => !leads.has(n));
}
