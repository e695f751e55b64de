/**
 * The grammar of one clause of a work report: "NAME VERB NUMBER UNIT QUALIFIER", e.g.
 * 地区生产总值增长6%左右, 一般公共预算收入完成25亿元, 城镇登记失业率控制在4.5%以内,
 * and the qualitative 城乡居民收入增长与经济增长基本同步. Input is normalised text
 * (simplified, half-width, no whitespace). Pure.
 */
import type { DraftKind, DraftMeasure, DraftRelation } from './draft.ts';

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
  /** Relative targets only. */
  readonly relation?: DraftRelation;
  readonly measure?: DraftMeasure;
  readonly referenceText?: string;
}

// ---- vocabulary -------------------------------------------------------------------------

const NUM = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;
/** Longest first, so 平方米 wins over 米. */
const BASE_UNITS = [
  '平方公里', '平方千米', '平方米', '立方米', '公里', '千米', '公顷', '千瓦时', '千瓦', '人次', '剂次', '户次', '标箱', '公斤', '千克', '美元',
  '元', '亩', '斤', '吨', '人', '户', '个', '处', '天', '所', '家', '起', '件', '项', '座', '台', '套', '场', '条', '辆', '名', '次', '间', '张', '栋', '米',
];
const UNIT = `(?:${BASE_UNITS.join('|')}|%|‰)`;
const MAGNITUDE = '万亿|亿|万';
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

/** 增幅/增速 name the growth rate: 固定资产投资增幅16%以上, 增速为6%. */
const GROWTH_NOUNS = '增幅|增速';
/** 地区生产总值增长6%左右, 同比增长2%, 刑事案件同比下降758%, 固定资产投资增幅16%以上. */
const GROWTH = new RegExp(
  `^(?<name>.*?)(?:${YOY})?(?<verb>${GROWTH_VERBS}|${GROWTH_NOUNS})(?:为|达到|达|保持在|保持)?(?<approx>${APPROX})?(?<num>${NUM})%(?<tail>${TAIL})?$`,
);
/** Prices and unemployment are held under a ceiling even when written as a level: 居民消费价格涨幅3%左右, 城镇调查失业率5.5%左右. */
const CEILING_BY_NAME = /涨幅|物价|价格|CPI|失业率/;
/** 城镇登记失业率控制在4.5%以内, PM2.5浓度不超过35微克 (when the unit is known). */
const CEILING = new RegExp(`^(?<name>.*?)(?<verb>${CEILING_VERBS})(?<approx>${APPROX})?(?<num>${NUM})(?<mag>${MAGNITUDE})?(?<unit>${UNIT})(?<tail>${TAIL})?$`);
/** 一般公共预算收入完成25亿元, 机扫率达到91%, 整治“三乱”广告2万余处, 接待游客近530万人(次). */
const AMOUNT = new RegExp(
  `^(?<name>.*?)(?<verb>${AMOUNT_VERBS})?(?<approx>${APPROX})?(?<num>${NUM})(?<mag>${MAGNITUDE})?(?<more>余|多)?(?<unit>${UNIT})(?<tail>${TAIL})?(?:\\([^)]*\\))?$`,
);
/** 城乡居民收入增长与经济增长基本同步, 居民人均可支配收入和经济增长同步; a bare 与经济增长基本同步 continues its subject. */
const IN_STEP = /^(?<name>.*?)(?:要|应|须)?(?<text>[与和同](?<ref>.+?)(?:基本|保持|基本保持)*同步(?:增长|提高)?)$/;
/** GDP增速高于全市平均水平, 城乡居民可支配收入增长高于经济增长, 农村居民可支配收入增速快于城镇居民. */
const RELATIVE = /^(?<name>.*?)(?<text>(?<rel>高于|快于|超过|超出|领先于|领先|不低于|不少于|不慢于)(?<ref>.+))$/;
const AT_LEAST = /^(?:不低于|不少于|不慢于)$/;
/** The rate, not the indicator: 居民人均可支配收入增速 → 居民人均可支配收入 (measure: growth). */
const RATE_SUFFIX = /(?:增长速度|增速|增幅|增长|速度)$/;
const GROWTHISH = /增速|增幅|增长|速度/;
/** A comparison of many things (各项主要经济指标超出全市平均水平) is no one indicator. */
const NOT_ONE_INDICATOR = /^(?:各项|主要|多项)|指标$/;
/**
 * 完成市下达目标, 能耗“双控”完成自治区和市下达的目标任务, 完成省、市下达的节能减排任务,
 * 完成城镇就业市定目标任务, 空气优良天数占比完成市定目标.
 */
const HANDED_DOWN = /^(?<name>.*?)(?<text>(?:全面|圆满|按期|确保)?完成(?<pre>[^,]{0,12}?)(?:下达的?|[国省市区县旗]定的?)(?<object>.*))$/;
/** 完成节能减排降碳任务: a task named by what it is about. */
const TASK_DONE = /^(?<name>.*?)(?<text>(?:全面|圆满|按期|确保|较好|顺利)?完成了?(?<object>.+?)(?:目标任务|任务))$/;
/** 完成了…会议确定的目标任务 is the whole year's work, not one indicator. */
const WHOLE_PROGRAMME = /会议|确定|各项|全年|工作/;
/** Who hands a target down, not what it is about: 自治区和市, 省、市. */
const ISSUER = /^(?:国家|自治区|上级|[国省市区县旗]|[和、及与])*$/;
/** 单位生产总值能耗、主要污染物排放继续下降且控制在国家下达目标之内. */
const WITHIN_HANDED_DOWN = /^(?<name>.*?)(?:继续|持续)?(?:下降|降低)?(?:且|并)?(?<text>控制在.{0,8}?下达的?(?:目标|指标|范围|任务).*)$/;
/** 规上工业产值再次实现翻番: growth of 100%. */
const DOUBLING = /^(?<name>.*?)(?:再次|继续|力争)?(?:实现)?(?<text>翻(?:一)?番)$/;
/** 刑事案件、治安案件同比分别下降758%和108%. */
const DISTRIBUTIVE = new RegExp(`^(?<names>.+?)(?<yoy>${YOY})?分别(?<rest>.+)$`);
/** A list item that ends with an amount: the 、 after it separates items, not names. */
const ENDS_WITH_AMOUNT = new RegExp(`(?:${NUM})(?:${MAGNITUDE})?(?:余|多)?${UNIT}(?:${TAIL})?(?:\\([^)]*\\))?$`);
/** Verbs that list items share: 新建口袋公园65处、绿道40公里 → 新建绿道. */
const LIST_VERB = /^(?:新建|新增|新开|新续建|建成|建设|完成|改造|实施|清理|整治|取缔|开展|推广|发放|申报|引进|培育|招聘|培训|安置|增设|规范|处置|办结|消化|盘活|清缴|组建|购置|举办|治理|拆除)/;

// ---- names --------------------------------------------------------------------------------

const INTRO = /^.*?(?:预期目标|主要目标)(?:是|为)?/;
const LEADING_FILLER = /^(?:其中|全年|今年|当年|同时|并且|以及|一年来|我们|力争|争取|确保|努力|预计|计划|实现了?|全省|全市|全区|全县|全旗|全国)+/;
const TRAILING_FILLER = /(?:的|了|已|均|都|全部|共计|共|累计|总计|分别|同比|比上年|较上年|为|实现|再次)+$/;
/** Punctuation and list bullets (●地区生产总值增长5%以上) around a name. */
const EDGE_PUNCTUATION = /^[,:;、●•·▪◆■□○◎\-—]+|[,:;、]+$/g;
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
  const items = splitItems(clause.replace(/(?:…|\.{2,})+$/, ''));
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
    const item = clause.slice(start, i);
    // After 分别 the 、 separates values that the names before it share out.
    if (item.includes('分别') || !ENDS_WITH_AMOUNT.test(item)) continue;
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
  const ceiling = tail === '以内' || tail === '以下' || (RATE_UNIT.test(unit) && CEILING_BY_NAME.test(g.name!));
  return parsed(g.name!, {
    value: Number(digits(g.num!)),
    numberText: digits(g.num!),
    unit,
    kind: ceiling ? 'ceiling' : RATE_UNIT.test(unit) ? 'level' : 'cumulative',
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
  const last = values[values.length - 1]!;
  const lastUnit = /\D*$/.exec(last)?.[0] ?? '';
  // 分别增长7%、8%左右: the 左右 (以上…) written once after the last value qualifies each.
  const sharedTail = new RegExp(`(?:${TAIL})$`).exec(last)?.[0] ?? '';
  const out: Measure[] = [];
  names.forEach((name, i) => {
    const value = values[i]!;
    const unit = /\d$/.test(value) ? lastUnit : new RegExp(`(?:${TAIL})$`).test(value) ? '' : sharedTail;
    out.push(...parseItem(`${name}${g.yoy ?? ''}${verb}${value}${unit}`));
  });
  return out;
}

/** 城乡居民人均可支配收入 with two values: the 城镇 one and the 农村 one. */
const URBAN_RURAL = /^(?<lead>.*?)城乡(?<rest>.+)$/;

/** The names of a 分别 clause, when there are as many as values. */
function matchCount(names: string, count: number): string[] | null {
  for (const sep of [/、/, /[、和与及]/]) {
    const parts = names.split(sep).filter((n) => n.length > 0);
    if (parts.length === count) return shareSuffix(parts);
  }
  const ur = URBAN_RURAL.exec(names)?.groups;
  if (ur && count === 2) return [`${ur.lead}城镇${ur.rest}`, `${ur.lead}农村${ur.rest}`];
  return null;
}

/**
 * 城镇居民、农村居民人均可支配收入 → 城镇居民人均可支配收入 and 农村居民人均可支配收入: the
 * noun after the last name belongs to each. The heads are taken to be as long as the first.
 */
function shareSuffix(parts: string[]): string[] {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const heads = parts.slice(0, -1);
  if (last.length < first.length + 2 || heads.some((h) => h.length !== first.length)) return parts;
  const suffix = last.slice(first.length);
  return [...heads.map((h) => h + suffix), last];
}

function parseQualitative(item: string): Measure[] {
  const step = IN_STEP.exec(item)?.groups;
  if (step) return relative(step.name!, step.text!, 'in_step', step.ref!);
  const rel = RELATIVE.exec(item)?.groups;
  if (rel) {
    const name = cleanNames(rel.name!.replace(RATE_SUFFIX, ''))[0] ?? '';
    if (name === '' || NOT_ONE_INDICATOR.test(name)) return [];
    return relative(rel.name!, rel.text!, AT_LEAST.test(rel.rel!) ? 'at_least' : 'above', rel.ref!, /^(?:快于|不慢于)$/.test(rel.rel!));
  }
  const down = HANDED_DOWN.exec(item)?.groups;
  if (down) {
    const own = cleanNames(down.name!)[0];
    const pre = cleanNames(down.pre!)[0];
    const about = pre && !ISSUER.test(pre) ? pre : undefined;
    const object = down.object!.replace(/^的/, '').replace(/(?:目标任务|目标|任务|指标)$/, '');
    return qualitative(own ?? about ?? (object || '上级下达目标'), down.text!, '完成上级下达任务');
  }
  const task = TASK_DONE.exec(item)?.groups;
  if (task && !WHOLE_PROGRAMME.test(task.object!)) {
    const own = cleanNames(task.name!)[0] ?? cleanNames(task.object!)[0];
    return own ? qualitative(own, task.text!, '完成任务') : [];
  }
  const within = WITHIN_HANDED_DOWN.exec(item)?.groups;
  if (within) {
    const own = cleanNames(within.name!)[0];
    return own ? qualitative(own, within.text!, '完成上级下达任务') : [];
  }
  const double = DOUBLING.exec(item)?.groups;
  if (double) {
    const own = cleanNames(double.name!)[0];
    return own ? [{ name: own, value: 100, numberText: null, unit: '%', kind: 'growth', qualifier: null, hasVerb: true, targetText: double.text! }] : [];
  }
  return [];
}

function qualitative(name: string, text: string, qualifier: string): Measure[] {
  return [{ name, value: null, numberText: null, unit: '', kind: 'qualitative', qualifier, hasVerb: true, targetText: text }];
}

/**
 * 与经济增长同步 (in step), 高于全市平均水平 (above), 不低于… (at least). It compares growth
 * when the name or the reference speaks of growth (增速, 增长) or the verb of speed (快于).
 */
function relative(rawName: string, text: string, relation: DraftRelation, referenceText: string, speed = false): Measure[] {
  const name = cleanNames(rawName.replace(RATE_SUFFIX, ''))[0] ?? '';
  const measure: DraftMeasure = relation === 'in_step' || speed || GROWTHISH.test(rawName) || GROWTHISH.test(referenceText) ? 'growth' : 'value';
  return [{ name, value: null, numberText: null, unit: '%', kind: 'relative', qualifier: null, hasVerb: true, targetText: text, relation, measure, referenceText }];
}
