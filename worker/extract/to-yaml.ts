/**
 * A targets file drafted from a `TargetsDraft`: the shape of jobs/<report>/targets.yaml
 * (docs/targets.md), with generated ids, `lead: [待定]` placeholders, and the original snippet
 * and any findings as comments above each indicator. It validates; it is not yet true.
 */
import { Document, isMap, isScalar, isSeq } from 'yaml';
import { formatNumber } from '../domain/format.ts';
import type { DraftFinding, DraftIndicator, TargetsDraft } from './draft.ts';

export interface DraftYamlOptions {
  reportId: string;
  year: number;
  title?: string;
  region?: string;
  office?: string;
}

const PLACEHOLDER = '待定';
const UNSECTIONED = '未分节';
const REPORT_ID = /^[a-z0-9][a-z0-9-]*$/;
/** Rates where less is better; anything else at a level is "higher is better". */
const LOWER_IS_BETTER = /失业率|发病率|死亡率|发生率|事故|能耗|排放|负债率|空置率|赤字|PM|浓度/;

type Fields = Record<string, unknown>;

interface Entry {
  /** The indicator's name before it was made unique. */
  base: string;
  /** Unique in the file. */
  name: string;
  section: string | null;
  /** Everything after id, name and section: kind, unit, target… */
  fields: Fields;
  comments: string[];
  /** Indices into draft.indicators that this entry is made of (its findings go with it). */
  sources: number[];
  /** Relative targets: what the target is compared with, as written (经济增长, 城镇居民). */
  referenceText?: string;
}

/** Asks staff for the reference when the draft cannot tell which indicator it is. */
export const REFERENCE_PLACEHOLDER = 'reference: 填写参照指标的id';
/** 与经济增长同步: the economy's growth is the 地区生产总值's. */
const ECONOMY = /经济增长|经济发展|GDP|生产总值/;
const GDP_NAME = /地区生产总值|国内生产总值|生产总值|GDP/;

interface Indexed {
  readonly ind: DraftIndicator;
  readonly index: number;
}

/**
 * A targets YAML draft for staff to review. It parses with `targetsFileSchema` whenever at least
 * one indicator was found (the schema wants one); region and office are 待定 unless given.
 * Throws a RangeError for a report id the schema would reject, since that is the caller's input.
 */
export function draftToYaml(draft: TargetsDraft, opts: DraftYamlOptions): string {
  if (!REPORT_ID.test(opts.reportId)) throw new RangeError(`report id "${opts.reportId}": expected lowercase letters, digits and hyphens, e.g. yuquan-2023`);
  const fromResults = !draft.indicators.some((i) => i.role === 'target');
  const plan = planEntries(draft, fromResults);
  const sectionNames = [...draft.sections];
  if (sectionNames.length === 0 || plan.entries.some((e) => e.section === null)) sectionNames.push(UNSECTIONED);
  const sectionId = new Map(sectionNames.map((name, i) => [name, `sec-${pad(i + 1, sectionNames.length)}`]));
  const fallbackSection = sectionId.get(UNSECTIONED) ?? sectionId.get(sectionNames[0]!)!;

  const document = draft.title ?? `${opts.year}年政府工作报告`;
  const data = {
    report: {
      id: opts.reportId,
      year: opts.year,
      title: opts.title ?? `${document}目标任务推进情况`,
      document,
      region: opts.region ?? PLACEHOLDER,
      office: opts.office ?? PLACEHOLDER,
    },
    sections: sectionNames.map((name) => ({ id: sectionId.get(name)!, name })),
    indicators: plan.entries.map((e, i) => {
      const reference = referenceOf(e, plan.entries);
      return {
        id: indicatorId(i, plan.entries.length),
        name: e.name,
        section: (e.section !== null ? sectionId.get(e.section) : undefined) ?? fallbackSection,
        ...e.fields,
        ...(reference === undefined ? {} : { reference: indicatorId(reference, plan.entries.length) }),
        lead: [PLACEHOLDER],
      };
    }),
  };

  const doc = new Document(data);
  doc.commentBefore = header(draft, fromResults, plan.entries.length, document).join('\n');
  decorate(doc, plan.entries, draft.findings);
  askForReferences(doc, plan.entries);
  if (plan.leftovers.length > 0) doc.comment = ['', ' 未列入上表的数字（请酌情补充）：', ...plan.leftovers.map((l) => ` - ${l}`)].join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function indicatorId(index: number, count: number): string {
  return `ind-${pad(index + 1, count)}`;
}

/**
 * The indicator a relative target is compared with, when the draft has it: the 地区生产总值's
 * growth for 与经济增长同步; for 快于城镇居民, the entry that names 城镇居民 and ends like the
 * subject (…可支配收入). Undefined for an outside reference (全市平均水平) or one not in the draft.
 */
function referenceOf(e: Entry, entries: readonly Entry[]): number | undefined {
  if (e.fields.kind !== 'relative' || !e.referenceText) return undefined;
  const ref = e.referenceText;
  const others = entries.map((o, i) => ({ o, i })).filter(({ o }) => o !== e && o.fields.kind !== 'relative');
  const growthFirst = (list: typeof others) => (list.find(({ o }) => o.fields.kind === 'growth') ?? (e.fields.measure === 'growth' ? undefined : list[0]))?.i;
  if (ECONOMY.test(ref)) return growthFirst(others.filter(({ o }) => GDP_NAME.test(o.base)));
  const stem = ref.replace(/(?:增长|增速|增幅|水平)$/, '');
  const tail = e.base.slice(-4);
  return growthFirst(others.filter(({ o }) => o.base.includes(stem) && o.base.endsWith(tail)));
}

/** `# reference: 填写参照指标的id` above `lead` of each relative target whose reference is unknown. */
function askForReferences(doc: Document, entries: readonly Entry[]): void {
  const indicators = doc.get('indicators', true);
  if (!isSeq(indicators)) return;
  indicators.items.forEach((item, i) => {
    const entry = entries[i];
    if (!entry || entry.fields.kind !== 'relative' || !isMap(item) || item.has('reference')) return;
    const lead = item.items.find((p) => isScalar(p.key) && p.key.value === 'lead');
    if (lead && isScalar(lead.key)) lead.key.commentBefore = ` ${REFERENCE_PLACEHOLDER}`;
  });
}

function header(draft: TargetsDraft, fromResults: boolean, entries: number, document: string): string[] {
  const lines = [
    ` 机器草稿（machine draft）：由 jibao 从《${document}》文本自动提取，须逐项人工核对后方可使用。`,
    ' - 指标名称、类型（kind）、单位、数值与分节均为自动识别；数值按原文照录，未作任何更正。',
    ' - 牵头单位 lead 均为占位符 [待定]；region、office 未提供时也是 待定。',
    ' - 每个指标上方的注释给出原文片段（原文）和疑点（如可能丢失的小数点及候选值）。',
  ];
  if (draft.script === 'traditional') lines.push(' - 原文为繁体，名称已转换为简体；原文片段保留繁体。');
  if (draft.indicators.some((i) => i.kind === 'relative' && i.role === (fromResults ? 'result' : 'target'))) {
    lines.push(' - kind: relative 为相对目标（高于全市平均水平、与经济增长同步等）：reference 填参照指标的 id；参照为外部数字（如全市平均）时，季度数字中给出参照值。');
  }
  if (entries === 0) {
    lines.push(' - 文中未识别到任何指标：请手工填写 indicators（至少一项，否则本文件不能通过校验）。');
  } else if (fromResults) {
    lines.push(' - 文中未找到本年目标：以下指标均取自工作回顾中的实绩；target 暂填该实绩（同 baseline），请改为本年目标。');
  }
  const documentLevel = draft.findings.filter((f) => f.indicator === null);
  if (documentLevel.length > 0) lines.push(' 全文疑点：', ...documentLevel.map((f) => `  ${describeFinding(f)}`));
  return lines;
}

/** Comments above each indicator, and flow style for short lists so the draft reads like the hand-written files. */
function decorate(doc: Document, entries: readonly Entry[], findings: readonly DraftFinding[]): void {
  const sections = doc.get('sections', true);
  if (isSeq(sections)) for (const item of sections.items) if (isMap(item)) item.flow = true;
  const indicators = doc.get('indicators', true);
  if (!isSeq(indicators)) return;
  indicators.items.forEach((item, i) => {
    const entry = entries[i];
    if (!entry || !isMap(item)) return;
    const lead = item.get('lead', true);
    if (isSeq(lead)) lead.flow = true;
    // The snippet is already in the 原文 comment above.
    const notes = findings.filter((f) => f.indicator !== null && entry.sources.includes(f.indicator)).map((f) => `疑点 ${oneLine(f.message)}`);
    item.commentBefore = [...entry.comments, ...notes].map((c) => ` ${c}`).join('\n');
  });
}

/**
 * Which indicators become entries. With targets in the text, the targets, each with last
 * year's result of the same name as its baseline. Without (a report cut off before its plan),
 * the results, so the draft still lists what the report measures.
 */
function planEntries(draft: TargetsDraft, fromResults: boolean): { entries: Entry[]; leftovers: string[] } {
  const all: Indexed[] = draft.indicators.map((ind, index) => ({ ind, index }));
  const primaryRole = fromResults ? 'result' : 'target';
  const primary = all.filter((x) => x.ind.role === primaryRole);
  const results = fromResults ? [] : all.filter((x) => x.ind.role === 'result');
  const used = new Set<number>();
  const names = new Set<string>();
  const entries: Entry[] = [];
  const leftovers: string[] = [];

  const amounts = pairAmounts(primary);
  const absorbed = new Set([...amounts.values()].map((a) => a.index));
  for (const x of primary) {
    if (absorbed.has(x.index)) continue;
    const amount = amounts.get(x.index);
    used.add(x.index);
    if (amount) used.add(amount.index);
    const stretched = x.ind.qualifier === '力争' ? entries.find((e) => e.base === x.ind.name && e.fields.kind === x.ind.kind) : undefined;
    if (stretched) {
      // 增长6%左右,力争7%: one indicator with a stretch goal, not two.
      stretched.comments.push(`力争目标：${describe(x.ind)}`);
      stretched.sources.push(x.index);
      continue;
    }
    const entry = toEntry(x, amount, fromResults);
    if (!entry) {
      leftovers.push(describe(x.ind));
      continue;
    }
    if (!fromResults) addBaselines(entry, x.ind, results, used);
    entries.push({ ...entry, name: uniqueName(x.ind.name, names) });
  }
  for (const x of results) if (!used.has(x.index)) leftovers.push(`${describe(x.ind)}（回顾实绩）`);
  return { entries, leftovers };
}

/**
 * 地区生产总值实现358亿元,同比增长2%: one growth indicator whose amount is in 亿元, keyed by the
 * growth indicator's index. Each amount goes with the first growth of its name.
 */
function pairAmounts(pool: readonly Indexed[]): Map<number, Indexed> {
  const pairs = new Map<number, Indexed>();
  const taken = new Set<number>();
  for (const g of pool) {
    if (g.ind.kind !== 'growth') continue;
    const amount = pool.find((y) => !taken.has(y.index) && y.ind.name === g.ind.name && y.ind.kind === 'cumulative' && y.ind.value !== null && y.ind.value > 0);
    if (!amount) continue;
    taken.add(amount.index);
    pairs.set(g.index, amount);
  }
  return pairs;
}

function toEntry(x: Indexed, amount: Indexed | undefined, fromResults: boolean): Entry | null {
  const i = x.ind;
  const fields: Fields = { kind: i.kind };
  const sources = [x.index, ...(amount ? [amount.index] : [])];
  const comments = snippets([i.raw, ...(amount ? [amount.ind.raw] : [])]).map((raw) => `原文：${raw}`);
  if (i.kind === 'qualitative') {
    Object.assign(fields, { unit: '', target_text: i.targetText ?? oneLine(i.raw) });
  } else if (i.kind === 'relative') {
    Object.assign(fields, { unit: '%', measure: i.measure ?? 'growth', relation: i.relation ?? 'above', target_text: i.targetText ?? oneLine(i.raw) });
  } else {
    if (i.value === null || (i.kind === 'cumulative' && i.value <= 0)) return null;
    Object.assign(fields, { unit: i.unit, target: i.value });
    if (i.kind === 'level') fields.direction = LOWER_IS_BETTER.test(i.name) ? 'lower' : 'higher';
  }
  if (i.qualifier) fields.qualifier = i.qualifier;
  if (amount) fields.value_unit = amount.ind.unit;
  // 财政总收入达到20亿元、增幅12%以上: a growth entry has no field for the amount target.
  if (amount && !fromResults) comments.push(`金额目标：${formatNumber(amount.ind.value!)}${amount.ind.unit}（growth 指标没有金额目标字段，请在 note 中保留或另列指标）`);
  if (fromResults && i.kind !== 'qualitative') {
    fields.baseline = i.value;
    if (amount) fields.baseline_value = amount.ind.value;
  }
  if (i.kind === 'growth' && i.value !== null && i.value < 0) comments.push('下降目标：target 为负数（下降3% 记作 -3），请确认评价口径');
  return { base: i.name, name: i.name, section: i.section, fields, comments, sources, ...(i.referenceText ? { referenceText: i.referenceText } : {}) };
}

/** Last year's result of the same name, from the review, as the baseline of a target. */
function addBaselines(entry: Entry, target: DraftIndicator, results: readonly Indexed[], used: Set<number>): void {
  const same = (y: Indexed) => !used.has(y.index) && y.ind.name === target.name && y.ind.value !== null;
  const take = (y: Indexed | undefined, key: string, unitKey?: string) => {
    if (!y) return;
    used.add(y.index);
    entry.fields[key] = y.ind.value;
    if (unitKey && entry.fields[unitKey] === undefined) entry.fields[unitKey] = y.ind.unit;
    entry.sources.push(y.index);
    entry.comments.push(`基数（回顾）：${oneLine(y.ind.raw)}`);
  };
  if (target.kind === 'qualitative') return;
  take(results.find((y) => same(y) && y.ind.kind === target.kind && y.ind.unit === target.unit), 'baseline');
  if (target.kind === 'growth') {
    const unit = entry.fields.value_unit;
    take(results.find((y) => same(y) && y.ind.kind === 'cumulative' && (unit === undefined || y.ind.unit === unit)), 'baseline_value', 'value_unit');
  }
}

/** Distinct snippets, leaving out one that another already shows (358亿元 inside 358亿元,同比增长2%). */
function snippets(raws: readonly string[]): string[] {
  const lines = [...new Set(raws.map(oneLine))];
  return lines.filter((r) => !lines.some((other) => other !== r && other.includes(r)));
}

/** Names must be unique in a targets file: a second 地区生产总值 becomes 地区生产总值（2）. */
function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name}（${n}）`;
  taken.add(candidate);
  return candidate;
}

function describe(i: DraftIndicator): string {
  const value = i.value === null ? (i.targetText ?? '') : `${formatNumber(i.value)}${i.unit}`;
  return `${i.name} ${value}（${i.kind}）：${oneLine(i.raw)}`;
}

/** The message, and the snippet where the message does not already quote it. */
function describeFinding(f: DraftFinding): string {
  const message = oneLine(f.message);
  const raw = oneLine(f.raw);
  return message.includes(raw) ? message : `${message}（原文：${raw}）`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function pad(n: number, count: number): string {
  return String(n).padStart(Math.max(2, String(count).length), '0');
}
