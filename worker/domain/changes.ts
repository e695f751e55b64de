import type { Report } from './report.ts';
import { formatAmount, formatNumber } from './format.ts';
import { STATUS_LABELS, type Status } from './evaluate.ts';
import { TASK_STATUS_LABELS, type TaskStatus } from './figures.ts';

/** The parts of an archived snapshot a correction is described from (data/figures.json, data/evaluation.json). */
export interface SnapshotFacts {
  readonly figures: { readonly indicators: Record<string, { value?: number; yoy?: number; reference?: number }>; readonly tasks: Record<string, { status?: TaskStatus }> };
  readonly evaluation: { readonly indicators: readonly { id: string; status: Status }[] };
}

/**
 * What changed from the previous version to this one, one sentence per indicator or task, in
 * the report's order: 一般公共预算收入：累计值由14.6更正为14.8，状态由滞后变为达序时. Status words
 * are the period's own (完成/未完成 at year end); monitor indicators have figures but no status.
 */
export function describeChanges(report: Report, before: SnapshotFacts, after: SnapshotFacts): string[] {
  const out: string[] = [];
  const statusOf = (f: SnapshotFacts, id: string) => f.evaluation.indicators.find((i) => i.id === id)?.status;
  for (const ind of report.indicators) {
    const parts: string[] = [];
    const a = before.figures.indicators[ind.id] ?? {};
    const b = after.figures.indicators[ind.id] ?? {};
    // The value is in valueUnit when the indicator has one (growth, relative on growth), else in unit.
    const growthLike = ind.kind === 'growth' || (ind.kind === 'relative' && ind.measure === 'growth');
    const unit = growthLike ? (('valueUnit' in ind ? ind.valueUnit : undefined) ?? '') : ind.unit;
    const levelLike = ind.kind === 'level' || ind.kind === 'ceiling' || (ind.kind === 'relative' && ind.measure === 'value');
    for (const [key, label, suffix] of [['value', levelLike ? '数值' : '累计值', unit], ['yoy', '同比', '%'], ['reference', '参照值', growthLike ? '%' : unit]] as const) {
      const x = a[key];
      const y = b[key];
      if (x === y) continue;
      // As the table prints them (decimals per unit and indicator); all digits when that would hide the change.
      const decimals = key === 'value' && 'decimals' in ind ? ind.decimals : undefined;
      const fmt = (n: number) => formatAmount(n, suffix, decimals);
      const same = x !== undefined && y !== undefined && fmt(x) === fmt(y);
      const show = (n: number) => (same ? `${formatNumber(n)}${suffix}` : fmt(n));
      if (x === undefined) parts.push(`补报${label}${show(y!)}`);
      else if (y === undefined) parts.push(`撤回${label}（原为${show(x)}）`);
      else parts.push(`${label}由${show(x)}更正为${show(y)}`);
    }
    const s1 = statusOf(before, ind.id);
    const s2 = statusOf(after, ind.id);
    if (s1 && s2 && s1 !== s2) parts.push(`状态由${STATUS_LABELS[s1]}变为${STATUS_LABELS[s2]}`);
    if (parts.length > 0) out.push(`${ind.name}：${parts.join('，')}`);
  }
  for (const task of report.tasks) {
    const s1 = before.figures.tasks[task.id]?.status;
    const s2 = after.figures.tasks[task.id]?.status;
    if (s1 !== s2) out.push(`${task.name}：进展由${s1 ? TASK_STATUS_LABELS[s1] : '未报送'}变为${s2 ? TASK_STATUS_LABELS[s2] : '未报送'}`);
  }
  return out;
}
