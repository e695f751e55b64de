import { z } from 'zod';
import type { Indicator, KeyTask, Report } from '../domain/report.ts';
import { DEFAULT_THRESHOLDS } from '../domain/report.ts';
import { loadYamlFile } from './yaml-file.ts';
import { InputError } from '../domain/issues.ts';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an id of lowercase letters, digits and hyphens, e.g. budget-revenue');
const text = z.string().trim().min(1, 'expected a non-empty text');
const units = z.array(text).default([]);
const isoDate = z
  .union([z.string(), z.date()])
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
  .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD'));

const base = {
  id,
  name: text,
  section: id,
  qualifier: text.optional(),
  lead: z.array(text).min(1, 'expected at least one lead unit (牵头单位)'),
  support: units,
  note: text.optional(),
  part_of: id.optional(),
  aliases: z.array(text).default([]),
  // 左右: ± percentage points for "%" units, ± percent of the target for amounts.
  tolerance: z.number({ error: 'expected a number' }).finite().nonnegative('a tolerance is 0 or more').optional(),
  // Decimal places this indicator's numbers are printed with (table, text, chart, email); default by unit.
  decimals: z.number({ error: 'expected a number' }).int('expected a whole number of decimal places').min(0).max(6).optional(),
};
const num = z.number({ error: 'expected a number' }).finite();

const indicatorSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      ...base,
      kind: z.literal('cumulative'),
      unit: text,
      target: num.positive('a cumulative target must be above 0'),
      baseline: num.optional(),
      seasonal: z.enum(['year-end', 'last-year'], { error: 'expected seasonal: year-end or last-year' }).optional(),
    }),
    z.strictObject({
      ...base,
      kind: z.literal('growth'),
      unit: z.literal('%', { error: 'a growth indicator is in "%"' }),
      value_unit: text.optional(),
      target: num,
      baseline: num.optional(),
      baseline_value: num.optional(),
    }),
    z.strictObject({ ...base, kind: z.literal('level'), unit: text, target: num, direction: z.enum(['higher', 'lower']), baseline: num.optional() }),
    z.strictObject({ ...base, kind: z.literal('ceiling'), unit: text, target: num.nonnegative(), baseline: num.optional() }),
    z.strictObject({ ...base, kind: z.literal('qualitative'), unit: z.string().default(''), target_text: text }),
    z.strictObject({ ...base, kind: z.literal('monitor'), unit: text, baseline: num.optional() }),
    z.strictObject({
      ...base,
      kind: z.literal('relative'),
      target_text: text,
      measure: z.enum(['growth', 'value'], { error: 'expected measure: growth or value' }),
      relation: z.enum(['above', 'at_least', 'in_step'], { error: 'expected relation: above, at_least or in_step' }),
      reference: id.optional(),
      unit: text.optional(),
      value_unit: text.optional(),
    }),
  ],
  { error: 'expected kind: cumulative, growth, level, ceiling, qualitative, monitor or relative' },
);

const taskSchema = z.strictObject({
  id,
  name: text,
  section: id,
  description: text.optional(),
  lead: base.lead,
  support: units,
  deadline: isoDate.optional(),
  milestones: z.strictObject({ Q1: text.optional(), Q2: text.optional(), Q3: text.optional(), Q4: text.optional() }).default({}),
});

export const targetsFileSchema = z
  .strictObject({
    report: z.strictObject({
      id,
      year: z.number().int().min(1900).max(2999),
      title: text,
      document: text,
      region: text,
      office: text,
      sample_data: z.boolean().default(false),
      sample_notice: text.optional(),
      /** Where real figures come from (数据摘自…统计局公开发布…): printed in the briefing and the email. */
      source_notice: text.optional(),
    }),
    thresholds: z
      .strictObject({
        cumulative_points: num.positive().optional(),
        growth_points: num.positive().optional(),
        level_percent: num.positive().optional(),
        tolerance_points: num.nonnegative('a tolerance is 0 or more').optional(),
        tolerance_percent: num.nonnegative('a tolerance is 0 or more').optional(),
      })
      .optional(),
    year_end: z.strictObject({ exceeded: z.boolean().default(false) }).optional(),
    sections: z.array(z.strictObject({ id, name: text })).min(1),
    indicators: z.array(indicatorSchema).min(1),
    tasks: z.array(taskSchema).default([]),
  })
  .superRefine((f, ctx) => {
    const sections = new Set(f.sections.map((s) => s.id));
    const ids = new Map<string, { key: string; i: number }>();
    const names = new Map<string, { key: string; i: number }>();
    const check = (list: readonly { id: string; name: string; section: string }[], key: 'indicators' | 'tasks') =>
      list.forEach((item, i) => {
        if (!sections.has(item.section)) {
          ctx.addIssue({ code: 'custom', path: [key, i, 'section'], message: `unknown section "${item.section}"; expected one of ${[...sections].join(', ')}`, params: { code: 'TARGETS_SECTION_UNKNOWN', section: item.section, sections: [...sections] } });
        }
        const duplicate = (field: 'id' | 'name', value: string, prev: { key: string; i: number }) =>
          ctx.addIssue({ code: 'custom', path: [key, i, field], message: `duplicate ${field} "${value}" (also ${prev.key}[${prev.i}])`, params: { code: 'TARGETS_DUPLICATE', field, value, alsoKind: prev.key, alsoNo: prev.i + 1 } });
        const prevId = ids.get(item.id);
        if (prevId) duplicate('id', item.id, prevId);
        ids.set(item.id, { key, i });
        const prevName = names.get(item.name);
        if (prevName) duplicate('name', item.name, prevName);
        names.set(item.name, { key, i });
      });
    check(f.indicators, 'indicators');
    const unitOf = (i: (typeof f.indicators)[number]) => (i.kind === 'growth' ? i.value_unit : i.kind === 'relative' ? (i.value_unit ?? i.unit) : i.unit);
    f.indicators.forEach((ind, i) => {
      const rule = (variant: string, more: Record<string, unknown> = {}) => ({ code: 'TARGETS_RULE', variant, ...more });
      const at = (key: string, message: string, params?: Record<string, unknown>) => ctx.addIssue({ code: 'custom', path: ['indicators', i, key], message, ...(params ? { params } : {}) });
      if (ind.kind === 'relative') {
        if (ind.measure === 'growth' && ind.unit !== undefined && ind.unit !== '%') at('unit', 'a relative target on growth is in "%"', rule('growth-percent'));
        if (ind.measure === 'value' && ind.unit === undefined) at('unit', 'a relative target on a value needs the unit of that value', rule('value-unit-needed'));
        if (ind.measure === 'value' && ind.value_unit !== undefined) at('value_unit', 'value_unit is for measure: growth; give the value\'s unit as unit', rule('value-unit-misplaced'));
        if (ind.reference !== undefined) {
          const ref = f.indicators.find((r) => r.id === ind.reference);
          if (!ref) at('reference', `no indicator with id "${ind.reference}"`, { code: 'TARGETS_NO_SUCH_INDICATOR', id: ind.reference });
          else if (ref.id === ind.id) at('reference', 'an indicator cannot be its own reference', rule('own-reference'));
          else if (ref.kind === 'qualitative') at('reference', `"${ind.reference}" is qualitative and has no figure to compare with`, rule('qualitative-reference', { id: ind.reference }));
          else if (ind.measure === 'value' && ind.unit !== undefined && unitOf(ref) !== ind.unit) {
            at('reference', `"${ind.reference}" is in ${unitOf(ref) ?? '(no unit)'}, this indicator in ${ind.unit}; a value is compared in the same unit`, { code: 'TARGETS_UNIT_MISMATCH', other: ind.reference, otherUnit: unitOf(ref), unit: ind.unit });
          }
        }
      }
      if (ind.kind === 'cumulative' && ind.seasonal === 'last-year' && (ind.baseline === undefined || ind.baseline <= 0)) {
        at('seasonal', 'seasonal: last-year compares with last year\'s progress and needs baseline (last year\'s total, above 0)', rule('seasonal-baseline'));
      }
      if (ind.tolerance !== undefined && (ind.kind === 'qualitative' || ind.kind === 'monitor')) {
        at('tolerance', `a ${ind.kind} indicator is not judged against a number; remove tolerance`, rule('tolerance-unjudged'));
      }
    });
    f.indicators.forEach((ind, i) => {
      if (!ind.part_of) return;
      const whole = f.indicators.find((w) => w.id === ind.part_of);
      if (!whole) ctx.addIssue({ code: 'custom', path: ['indicators', i, 'part_of'], message: `no indicator with id "${ind.part_of}"`, params: { code: 'TARGETS_NO_SUCH_INDICATOR', id: ind.part_of } });
      else if (unitOf(whole) !== unitOf(ind)) {
        ctx.addIssue({ code: 'custom', path: ['indicators', i, 'part_of'], message: `"${ind.part_of}" is in ${unitOf(whole) ?? '(no unit)'}, this indicator in ${unitOf(ind) ?? '(no unit)'}; a part and its whole need the same unit`, params: { code: 'TARGETS_UNIT_MISMATCH', other: ind.part_of, otherUnit: unitOf(whole), unit: unitOf(ind) } });
      }
    });
    check(f.tasks, 'tasks');
    if (f.report.sample_data && !f.report.sample_notice) {
      ctx.addIssue({ code: 'custom', path: ['report', 'sample_notice'], message: 'sample_data is true: say in sample_notice that the figures are illustrative', params: { code: 'TARGETS_SAMPLE_NOTICE' } });
    }
  });

export type TargetsFile = z.output<typeof targetsFileSchema>;

export function toReport(f: TargetsFile): Report {
  const indicators: Indicator[] = f.indicators.map((i) => {
    const common = {
      id: i.id, name: i.name, section: i.section, unit: i.unit ?? '%', lead: i.lead, support: i.support, ...(i.aliases.length > 0 ? { aliases: i.aliases } : {}),
      ...(i.qualifier ? { qualifier: i.qualifier } : {}),
      ...(i.note ? { note: i.note } : {}),
      ...(i.part_of ? { partOf: i.part_of } : {}),
      ...opt('tolerance', i.tolerance),
      ...opt('decimals', i.decimals),
    };
    switch (i.kind) {
      case 'cumulative':
        return { ...common, kind: i.kind, target: i.target, ...opt('baseline', i.baseline), ...opt('seasonal', i.seasonal) };
      case 'growth':
        return { ...common, kind: i.kind, target: i.target, ...opt('valueUnit', i.value_unit), ...opt('baseline', i.baseline), ...opt('baselineValue', i.baseline_value) };
      case 'level':
        return { ...common, kind: i.kind, target: i.target, direction: i.direction, ...opt('baseline', i.baseline) };
      case 'ceiling':
        return { ...common, kind: i.kind, target: i.target, ...opt('baseline', i.baseline) };
      case 'qualitative':
        return { ...common, kind: i.kind, targetText: i.target_text };
      case 'monitor':
        return { ...common, kind: i.kind, unit: i.unit, ...opt('baseline', i.baseline) };
      case 'relative':
        return {
          ...common, kind: i.kind, targetText: i.target_text, measure: i.measure, relation: i.relation,
          ...opt('reference', i.reference), ...opt('valueUnit', i.value_unit),
        };
    }
  });
  const tasks: KeyTask[] = f.tasks.map((t) => ({
    id: t.id, name: t.name, section: t.section, lead: t.lead, support: t.support, milestones: t.milestones,
    ...opt('description', t.description), ...opt('deadline', t.deadline),
  }));
  return {
    id: f.report.id,
    year: f.report.year,
    title: f.report.title,
    document: f.report.document,
    region: f.report.region,
    office: f.report.office,
    sampleData: f.report.sample_data,
    ...opt('sampleNotice', f.report.sample_notice),
    ...opt('sourceNotice', f.report.source_notice),
    sections: f.sections,
    indicators,
    tasks,
    thresholds: {
      cumulativePoints: f.thresholds?.cumulative_points ?? DEFAULT_THRESHOLDS.cumulativePoints,
      growthPoints: f.thresholds?.growth_points ?? DEFAULT_THRESHOLDS.growthPoints,
      levelPercent: f.thresholds?.level_percent ?? DEFAULT_THRESHOLDS.levelPercent,
      tolerancePoints: f.thresholds?.tolerance_points ?? DEFAULT_THRESHOLDS.tolerancePoints,
      tolerancePercent: f.thresholds?.tolerance_percent ?? DEFAULT_THRESHOLDS.tolerancePercent,
    },
    ...(f.year_end ? { yearEnd: { exceeded: f.year_end.exceeded } } : {}),
  };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

export async function loadTargets(file: string, expectedId?: string): Promise<Report> {
  const report = toReport(await loadYamlFile(file, targetsFileSchema, 'targets file'));
  if (expectedId && report.id !== expectedId) {
    throw new InputError([{ severity: 'error', file, column: 'report.id', message: `is "${report.id}" but the job is "${expectedId}"; they must match`, code: 'CONFIG_ID_MISMATCH', params: { value: report.id, expected: expectedId, of: 'job' } }]);
  }
  return report;
}
