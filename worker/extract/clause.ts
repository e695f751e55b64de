/**
 * The grammar of one clause of a work report: "NAME VERB NUMBER UNIT QUALIFIER", e.g.
 * 地区生产总值增长6%左右, 一般公共预算收入完成25亿元, 城镇登记失业率控制在4.5%以内,
 * and the qualitative 城乡居民收入增长与经济增长基本同步. Input is normalised text
 * (simplified, half-width, no whitespace). Pure.
 */
import type { DraftKind } from './draft.ts';

export interface Measure {
  /** '' when the clause has no subject of its own (同比增长2%): the caller carries one over. */
  readonly name: string;
  readonly value: number | null;
  /** The digits as written (no grouping commas), for decimal-point candidates. */
  readonly numberText: string | null;
  readonly unit: string;
  readonly kind: DraftKind;
  readonly qualifier: string | null;
  /** False for a bare number (力争7%), which continues the measure before it. */
  readonly hasVerb: boolean;
  readonly targetText: string | null;
}

// ---- vocabulary -------------------------------------------------------------------------

const NUM = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;
/** Longest first, so 平方米 wins over 米. */
const BASE_UNITS = [
  '平方公里', '平方米', '立方米', '公里', '千米', '公顷', '千瓦', '人次', '剂次', '户次',
  '元', '亩', '吨', '人', '户', '个', '处', '天', '所', '家', '起', '件', '项', '座', '台', '套', '场', '条', '辆', '名', '次', '间', '张', '栋', '米',
];
const UNIT = `(?:${BASE_UNITS.join('|')}|%|‰)`;
const MAGNITUDE = '万|亿';
const TAIL = '左右|以上|以内|以下';
const APPROX = '近|约|超过|超|逾';
const YOY = '同比|比上年|较上年';
const GROWTH_VERBS = '增长|增加|增收|提高|提升|上升|下降|减少|降低|下滑|回落';
const CEILING_VERBS = '控制在|不超过|不高于|低于|下降至|下降到|降低至|降低到|降至|降到';
/** Verbs that introduce an amount or a level; longer forms first (达到 before 达). */
const AMOUNT_VERBS = '实现|完成|达到|达至|达|提升至|提升到|提高至|提高到|增至|增加到|增加至|上升至|上升到|保持在|保持|稳定在|超过|突破|占到|占|为';

const DECLINE = /^(?:下降|减少|降低|下滑|回落)$/;
const MORE_THAN = /^(?:超过|超|逾|突破|余|多)$/;
const ABOUT = /^(?:近|约)$/;
const RATE_UNIT = /^(?:%|‰)$/;

// ---- clause patterns ---------------------------------------------------------------------

/** 地区生产总值增长6%左右, 同比增长2%, 刑事案件同比下降758%. */
const GROWTH = new RegExp(`^(?<name>.*?)(?:${YOY})?(?<verb>${GROWTH_VERBS})(?<approx>${APPROX})?(?<num>${NUM})%(?<tail>${TAIL})?$`);
/** 城镇登记失业率控制在4.5%以内, PM2.5浓度不超过35微克 (when the unit is known). */
const CEILING = new RegExp(`^(?<name>.*?)(?<verb>${CEILING_VERBS})(?<approx>${APPROX})?(?<num>${NUM})(?<mag>${MAGNITUDE})?(?<unit>${UNIT})(?<tail>${TAIL})?$`);
/** 一般公共预算收入完成25亿元, 机扫率达到91%, 整治“三乱”广告2万余处, 接待游客近530万人(次). */
const AMOUNT = new RegExp(
  `^(?<name>.*?)(?<verb>${AMOUNT_VERBS})?(?<approx>${APPROX})?(?<num>${NUM})(?<mag>${MAGNITUDE})?(?<more>余|多)?(?<unit>${UNIT})(?<tail>${TAIL})?(?:\\([^)]*\\))?$`,
);
/** 城乡居民收入增长与经济增长基本同步; after a growth target, 与经济增长基本同步 continues its subject. */
const IN_STEP = /^(?<name>.*?)(?:要|应|须)?(?<text>与.+?(?:基本|保持)?同步(?:增长|提高)?)$/;
/** 完成市下达目标, 能耗“双控”完成自治区和市下达的目标任务. */
const HANDED_DOWN = /^(?<name>.*?)(?<text>(?:全面|圆满|按期|确保)?完成(?:[^下]{0,12}?)下达的?(?<object>.*?(?:目标|任务|指标).*?))$/;
/** 刑事案件、治安案件同比分别下降758%和108%. */
const DISTRIBUTIVE = new RegExp(`^(?<names>.+?)(?<yoy>${YOY})?分别(?<rest>.+)$`);
/** A list item that ends with an amount: the 、 after it separates items, not names. */
const ENDS_WITH_AMOUNT = new RegExp(`(?:${NUM})(?:${MAGNITUDE})?(?:余|多)?${UNIT}(?:${TAIL})?(?:\\([^)]*\\))?$`);
/** Verbs that list items share: 新建口袋公园65处、绿道40公里 → 新建绿道. */
const LIST_VERB = /^(?:新建|新增|新开|新续建|建成|建设|完成|改造|实施|清理|整治|取缔|开展|推广|发放|申报|引进|培育|招聘|培训|安置|增设|规范|处置|办结|消化|盘活|清缴|组建|购置|举办|治理|拆除)/;

// ---- names --------------------------------------------------------------------------------

const INTRO = /^.*?(?:预期目标|主要目标)(?:是|为)?/;
const LEADING_FILLER = /^(?:其中|全年|今年|当年|同时|并且|以及|一年来|我们|力争|争取|确保|努力|预计|计划|实现了?)+/;
const TRAILING_FILLER = /(?:的|了|已|均|都|全部|共计|共|累计|总计|分别|同比|比上年|较上年|为)+$/;
const EDGE_PUNCTUATION = /^[,:;、]+|[,:;、]+$/g;
/** A verb on its own is not a name (投入22亿元): such a clause has no subject. */
const BARE_VERB = /^(?:投入|投资|完成|实现|达到|累计|新增|共|合计|总计|共计|同比)$/;
/** 群众知晓率、满意度均达到90%: one value for each name. */
const EACH = /(?:均|都)$/;
const LONG_NAME = 12;
/** After 等 there must be a noun phrase of its own (商业综合体营业额), not just 问题 or 活动. */
const MIN_AFTER_ETC = 4;

/** `raw` without the connectives around a name; '' when it was nothing else (同比, 力争, 其中). */
function stripFillers(raw: string): string {
  return raw.replace(INTRO, '').replace(EDGE_PUNCTUATION, '').replace(LEADING_FILLER, '').replace(TRAILING_FILLER, '').replace(EDGE_PUNCTUATION, '');
}

/** Names in `raw` (several for 甲、乙均…), trimmed of connectives; [] when it names nothing. */
export function cleanNames(raw: string): string[] {
  const each = EACH.test(raw) && raw.includes('、');
  let name = stripFillers(raw);
  // An enumeration before 等 is examples, the noun after it is the indicator: 甲、乙等商业综合体营业额.
  const etc = name.lastIndexOf('等');
  if (name.length > LONG_NAME && etc >= 2 && name.length - etc - 1 >= MIN_AFTER_ETC) name = name.slice(etc + 1);
  if (name === '' || BARE_VERB.test(name)) return [];
  return each ? name.split('、').filter((n) => n.length > 0) : [name];
}

// ---- parsing --------------------------------------------------------------------------------

/** Every measure in a clause, in order; an empty name means "the subject before". */
export function parseClause(clause: string): Measure[] {
  const items = splitItems(clause);
  const out: Measure[] = [];
  const firstVerb = LIST_VERB.exec(items[0] ?? '')?.[0];
  items.forEach((item, i) => {
    const shareVerb = i > 0 && firstVerb !== undefined && !LIST_VERB.test(item);
    for (const m of parseItem(item)) out.push(shareVerb && m.name !== '' ? { ...m, name: firstVerb + m.name } : m);
  });
  return out;
}

/** 完成建筑节能改造85万平方米、户厕改造405座 → two items; 秸秆、畜禽粪污资源化利用率… stays one. */
function splitItems(clause: string): string[] {
  const items: string[] = [];
  let start = 0;
  for (let i = clause.indexOf('、'); i >= 0; i = clause.indexOf('、', i + 1)) {
    if (!ENDS_WITH_AMOUNT.test(clause.slice(start, i))) continue;
    items.push(clause.slice(start, i));
    start = i + 1;
  }
  items.push(clause.slice(start));
  return items;
}

function parseItem(item: string): Measure[] {
  const distributed = parseDistributive(item);
  if (distributed) return distributed;
  if (!/\d/.test(item)) return parseQualitative(item);
  const strive = item.includes('力争') ? '力争' : null;
  const m = parseGrowth(item) ?? parseCeiling(item) ?? parseAmount(item);
  if (!m) return [];
  const measure = { ...m.measure, qualifier: m.measure.qualifier ?? strive };
  const names = cleanNames(m.rawName);
  if (names.length > 0) return names.map((name) => ({ ...measure, name }));
  // Nothing but connectives before the verb: the clause continues the subject before it.
  // A bare verb (投入22亿元) names nothing and continues nothing.
  return stripFillers(m.rawName) === '' ? [measure] : [];
}

interface Parsed {
  readonly rawName: string;
  readonly measure: Measure;
}

function parsed(rawName: string, m: Omit<Measure, 'name' | 'targetText'>): Parsed {
  return { rawName, measure: { name: '', targetText: null, ...m } };
}

function parseGrowth(item: string): Parsed | null {
  const g = GROWTH.exec(item)?.groups;
  if (!g) return null;
  const magnitude = Number(digits(g.num!));
  return parsed(g.name!, {
    value: DECLINE.test(g.verb!) ? -magnitude : magnitude,
    numberText: digits(g.num!),
    unit: '%',
    kind: 'growth',
    qualifier: qualifierOf(g.tail, g.approx),
    hasVerb: true,
  });
}

function parseCeiling(item: string): Parsed | null {
  const g = CEILING.exec(item)?.groups;
  if (!g) return null;
  return parsed(g.name!, {
    value: Number(digits(g.num!)),
    numberText: digits(g.num!),
    unit: (g.mag ?? '') + g.unit!,
    kind: 'ceiling',
    qualifier: qualifierOf(g.tail, g.approx),
    hasVerb: true,
  });
}

function parseAmount(item: string): Parsed | null {
  const g = AMOUNT.exec(item)?.groups;
  if (!g) return null;
  const unit = (g.mag ?? '') + g.unit!;
  const tail = g.tail;
  return parsed(g.name!, {
    value: Number(digits(g.num!)),
    numberText: digits(g.num!),
    unit,
    kind: tail === '以内' || tail === '以下' ? 'ceiling' : RATE_UNIT.test(unit) ? 'level' : 'cumulative',
    qualifier: qualifierOf(tail, g.more ?? g.approx ?? g.verb),
    hasVerb: g.verb !== undefined,
  });
}

function qualifierOf(tail: string | undefined, modifier: string | undefined): string | null {
  if (tail) return tail;
  if (modifier && MORE_THAN.test(modifier)) return '以上';
  if (modifier && ABOUT.test(modifier)) return '左右';
  return null;
}

function digits(num: string): string {
  return num.replace(/,/g, '');
}

/** 甲、乙同比分别下降758%和108% → 甲同比下降758%, 乙同比下降108%, each parsed on its own. */
function parseDistributive(item: string): Measure[] | null {
  const g = DISTRIBUTIVE.exec(item)?.groups;
  if (!g) return null;
  const rest = g.rest!;
  const firstNumber = rest.search(new RegExp(`(?:${APPROX})?\\d`));
  if (firstNumber <= 0) return null;
  const verb = rest.slice(0, firstNumber);
  const values = rest.slice(firstNumber).split(/[、和及与]/);
  const names = matchCount(g.names!, values.length);
  if (!names) return null;
  const lastUnit = /\D*$/.exec(values[values.length - 1]!)?.[0] ?? '';
  const out: Measure[] = [];
  names.forEach((name, i) => {
    const value = values[i]!;
    const unit = /\d$/.test(value) ? lastUnit : '';
    out.push(...parseItem(`${name}${g.yoy ?? ''}${verb}${value}${unit}`));
  });
  return out;
}

/** The names of a 分别 clause, when there are as many as values. */
function matchCount(names: string, count: number): string[] | null {
  for (const sep of [/、/, /[、和与及]/]) {
    const parts = names.split(sep).filter((n) => n.length > 0);
    if (parts.length === count) return parts;
  }
  return null;
}

function parseQualitative(item: string): Measure[] {
  const step = IN_STEP.exec(item)?.groups;
  if (step) return qualitative(cleanNames(step.name!)[0] ?? '', step.text!, '同步');
  const down = HANDED_DOWN.exec(item)?.groups;
  if (down) {
    const own = cleanNames(down.name!)[0];
    const object = down.object!.replace(/任务$/, '').replace(/^的/, '');
    return qualitative(own ?? (object || '上级下达目标'), down.text!, '完成上级下达任务');
  }
  return [];
}

function qualitative(name: string, text: string, qualifier: string): Measure[] {
  return [{ name, value: null, numberText: null, unit: '', kind: 'qualitative', qualifier, hasVerb: true, targetText: text }];
}
