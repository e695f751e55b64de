/**
 * The message catalogue: every stable error code, with its text in Chinese (staff, leaders,
 * operators) and English (the CLI outside a Chinese locale), and how it is classified.
 * Pure data at the bottom of the tree, so domain code can name a code and its values (`params`)
 * and every layer above renders the same text. One entry per code, keyed by the code: an entry
 * appended by another change merges as its own block. docs/errors.md is generated from it.
 */

export type Lang = 'zh' | 'en';
export type Param = string | number | readonly string[] | undefined;
export type Params = Readonly<Record<string, Param>>;

/**
 * Who must act: `input` the person who supplied a file or a request (fix and rerun: never
 * retried); `source` the figure source is unreachable (retried); `system` jibao or its
 * configuration (retried unless the entry says otherwise).
 */
export type Fault = 'input' | 'source' | 'system';

export interface MessageEntry {
  readonly fault: Fault;
  /** Overrides the fault's default (input: no; source and system: yes). */
  readonly retryable?: boolean;
  /** HTTP status when the error reaches the API as such. */
  readonly status?: number;
  /** One line on what the code means, for docs/errors.md. */
  readonly doc: string;
  readonly zh: (p: Params) => string;
  readonly en: (p: Params) => string;
}

const s = (v: Param): string => (v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v));
/** A list for Chinese text: “a”、“b”. */
const zl = (v: Param): string => (Array.isArray(v) ? v.map((x) => `“${x}”`).join('、') : v === undefined ? '' : `“${String(v)}”`);
const el = (v: Param, sep = ', '): string => (Array.isArray(v) ? v.join(sep) : s(v));

/** Where a statistics table states its period, in each language. */
const whereEn = (kind: Param, column: Param) => (kind === 'column' ? `column "${s(column)}"` : s(kind));
const WHERE_ZH: Record<string, string> = { title: '标题', 'sheet name': '工作表名', 'file name': '文件名' };
const whereZh = (kind: Param, column: Param) => (kind === 'column' ? `“${s(column)}”列的表头` : (WHERE_ZH[s(kind)] ?? s(kind)));
const unitZh = (u: Param) => (s(u) === '' ? '指标单位' : s(u));
/** The kinds of value a configuration schema expects, in Chinese. */
const TYPE_ZH: Record<string, string> = { number: '数字', int: '整数', string: '文本', boolean: 'true 或 false', array: '列表', object: '一组字段', record: '一组字段', date: '日期', null: '空值' };
const typeZh = (t: Param) => (Array.isArray(t) ? t.map((x) => TYPE_ZH[x] ?? x).join('或') : (TYPE_ZH[s(t)] ?? s(t)));
const FORMAT_ZH: Record<string, string> = { email: '电子邮箱地址', url: '网址', date: '日期（年-月-日）', datetime: '日期时间', time: '时间（时:分）', timezone: '时区名，如“Asia/Shanghai”', cron: '五段式计划表达式，如“0 9 20 1,4,7,10 *”' };
/** A plausibility rule's entry: params { rule, text }. */
const finding = (doc: string): MessageEntry => ({ fault: 'input', status: 422, doc, zh: (p) => s(p.text), en: (p) => `[${s(p.rule)}] ${s(p.text)}` });

export const MESSAGES = {
  // ── Figure files: the table as a whole ──────────────────────────────────────────────
  TABLE_UNSUPPORTED: {
    fault: 'input', status: 422, doc: 'The figure file is not .csv or .xlsx.',
    zh: (p) => `不支持的文件类型“${s(p.ext) || '（无扩展名）'}”；请使用 .csv 或 .xlsx 文件`,
    en: (p) => `unsupported file type "${s(p.ext) || '(none)'}"; expected .csv or .xlsx`,
  },
  TABLE_TOO_LARGE: {
    fault: 'input', status: 422, doc: 'The figure file is over the size or row limit.',
    zh: (p) => (p.rows !== undefined ? `文件超过 ${s(p.rows)} 行，远多于报表所需；请删去非数据内容或拆分文件` : `文件大小为 ${s(p.size)} 字节，超过上限 ${s(p.max)} 字节；请拆分文件或调高上限`),
    en: (p) => (p.rows !== undefined ? `the file has more than ${s(p.rows)} rows, more than any report's figures need; remove what is not figures or split it` : `the file is ${s(p.size)} bytes, over the limit of ${s(p.max)}; split it or raise the limit`),
  },
  TABLE_EMPTY: {
    fault: 'input', status: 422, doc: 'The figure file has no data rows (or no rows at all).',
    zh: (p) => (p.variant === 'no-data' ? '文件只有表头，没有数据行' : '文件为空；应有一行表头，每个指标一行数据'),
    en: (p) =>
      p.variant === 'no-data' ? 'the file has a header but no rows of figures'
      : p.variant === 'no-rows' ? 'the file has no rows; expected a header row and one row per indicator'
      : 'the file is empty; expected a header row and one row per indicator',
  },
  TABLE_UNREADABLE: {
    fault: 'input', status: 422, doc: 'The file cannot be parsed as CSV or XLSX.',
    zh: (p) => (p.format === 'xlsx' ? '无法读取该 XLSX 文件；请用 Excel 或 WPS 重新另存为 .xlsx' : '无法读取该 CSV 文件（格式有误，如引号不成对）；请用 Excel 或 WPS 重新另存为 CSV'),
    en: (p) => (p.format === 'xlsx' ? `not a readable XLSX file (${s(p.detail)}); save it again from Excel or WPS as .xlsx` : `not a readable CSV file: ${s(p.detail)}`),
  },
  TABLE_COLUMN_MISSING: {
    fault: 'input', status: 422, doc: 'A column named in the job definition’s column mapping is not in the header.',
    zh: (p) => `没有“${s(p.name)}”列（作业定义将其指定为“${s(p.label)}”列）；表头为：${zl(p.header)}`,
    en: (p) => `no column "${s(p.name)}" (mapped to ${s(p.column)} in the job definition); the header has ${el(p.header)}`,
  },
  TABLE_NO_INDICATOR_COLUMN: {
    fault: 'input', status: 422, doc: 'No column names the indicators.',
    zh: (p) => `找不到指标列；表头应有名为${Array.isArray(p.expected) ? p.expected.map((x) => `“${x}”`).join('或') : ''}的列`,
    en: (p) => `no indicator column; expected a header named ${el(p.expected, ' or ')}`,
  },
  TABLE_NO_VALUE_COLUMN: {
    fault: 'input', status: 422, doc: 'A statistics table has no value or growth column.',
    zh: (p) => `找不到数值列或增速列；表头应有如“1-6月”“本年累计”“绝对值”或“比上年同期增长(%)”的列；表头为：${zl(p.header)}`,
    en: (p) => `no value or growth column; expected a header such as 1-6月, 本年累计, 绝对值 or 比上年同期增长(%); the header has ${el(p.header)}`,
  },
  XLSX_TOO_LARGE: {
    fault: 'input', status: 422, doc: 'The workbook unpacks to more than the limit (a zip bomb or not an ordinary figure file).',
    zh: (p) => `该工作簿解压后${p.what === 'zip64' ? '超过 4 GB' : p.what === 'entry' ? `超过其目录声明的大小（单个部件 ${s(p.size)} 字节）` : `至少 ${s(p.total)} 字节`}，超过上限 ${s(p.max)} 字节，不是普通的数据文件；请用 Excel 或 WPS 重新保存，或拆分文件`,
    en: (p) => `the workbook unpacks to ${p.what === 'zip64' ? 'more than 4 GB (a ZIP64 entry)' : p.what === 'entry' ? `more than its directory declares (${s(p.size)} bytes for one part)` : `at least ${s(p.total)} bytes`}, over the limit of ${s(p.max)} bytes; it is not an ordinary figure file (re-save it from Excel or WPS, or split it)`,
  },
  XLSX_SHEET_MISSING: {
    fault: 'input', status: 422, doc: 'The sheet named in the job definition is not in the workbook, or the workbook has no sheet.',
    zh: (p) => (p.sheet === undefined ? '该工作簿没有工作表' : `没有名为“${s(p.sheet)}”的工作表；现有工作表：${zl(p.sheets)}`),
    en: (p) => (p.sheet === undefined ? 'the workbook has no sheets' : `no sheet named "${s(p.sheet)}"; sheets: ${el(p.sheets)}`),
  },
  FILE_NOT_FOUND: {
    fault: 'input', status: 422, doc: 'The figure file or folder does not exist.',
    zh: (p) => (p.variant === 'source' ? '找不到该文件或文件夹；应为 CSV 或 XLSX 数据文件' : p.variant === 'not-file' ? '不是文件' : '找不到该文件'),
    en: (p) => (p.variant === 'source' ? 'no such file or folder; expected a CSV or XLSX figure file' : p.variant === 'not-file' ? 'is not a file' : 'no such file'),
  },
  FILE_UNREADABLE: {
    fault: 'input', status: 422, doc: 'The file exists but cannot be read (permissions, I/O).',
    zh: (p) => `无法读取该文件（${s(p.detail)}）`,
    en: (p) => `cannot read the file (${s(p.detail)})`,
  },
  ISSUES_TRUNCATED: {
    fault: 'input', status: 422, doc: 'More problems were found than are listed.',
    zh: (p) => `另有 ${s(p.rest)} 个问题未列出；请先改正以上问题再检查`,
    en: (p) => `${s(p.rest)} more problem(s) not listed; fix the ones above and check again`,
  },

  // ── Figure files: periods ───────────────────────────────────────────────────────────
  FIGURE_PERIOD_MISSING: {
    fault: 'input', status: 422, doc: 'The period of a row or table cannot be told (a folder of files needs it).',
    zh: (p) =>
      p.variant === 'column' ? '没有期间列（期间/period）；文件夹中的数据文件须有此列以区分期间'
      : p.variant === 'table' ? `无法从数值列表头、标题、工作表名或文件名判断期间；请在文件名中写明，如 ${s(p.example)}.xlsx`
      : `未填期间；应为 ${s(p.expected)}`,
    en: (p) =>
      p.variant === 'column' ? 'no period column (期间/period); a folder of figure files needs it to tell the periods apart'
      : p.variant === 'table' ? `the period cannot be told from the value column's header, the title, the sheet or the file name; put it in the file name, e.g. ${s(p.example)}.xlsx`
      : `no period; expected ${s(p.expected)}`,
  },
  FIGURE_PERIOD_INVALID: {
    fault: 'input', status: 422, doc: 'A period cell is not a period.',
    zh: (p) => `“${s(p.cell)}”不是有效的期间；应写作如 2023Q3、2023-09 或 2023年1-9月`,
    en: (p) => s(p.detail) || `"${s(p.cell)}" is not a period`,
  },
  FIGURE_PERIOD_CONFLICT: {
    fault: 'input', status: 422, doc: 'The file states another period than the one requested, or two places disagree.',
    zh: (p) =>
      p.variant === 'row' ? `期间 ${s(p.found)} 与所请求的 ${s(p.requested)} 不符`
      : p.variant === 'stated' ? `${whereZh(p.where, p.column)}写的是“${s(p.text)}”（${s(p.found)}），不是所请求的 ${s(p.requested)}`
      : `${whereZh(p.where, p.column)}写的是“${s(p.text)}”，而${whereZh(p.where2, p.column2)}写的是“${s(p.text2)}”；请使两者一致`,
    en: (p) =>
      p.variant === 'row' ? `period ${s(p.found)} does not match the requested ${s(p.requested)}`
      : p.variant === 'stated' ? `the ${whereEn(p.where, p.column)} says ${s(p.text)} (${s(p.found)}), not the requested ${s(p.requested)}`
      : `the ${whereEn(p.where, p.column)} says ${s(p.text)} but the ${whereEn(p.where2, p.column2)} says ${s(p.text2)}; make them agree`,
  },

  // ── Figure files: rows and cells ────────────────────────────────────────────────────
  FIGURE_ALIAS_AMBIGUOUS: {
    fault: 'input', status: 422, doc: 'An alias in the targets file names two indicators.',
    zh: (p) => `${s(p.name)}（${s(p.id)}）的别名“${s(p.alias)}”同时指向${s(p.other)}（${s(p.otherId)}）；一个别名只能指向一个指标（请修改目标文件）`,
    en: (p) => `the alias "${s(p.alias)}" of ${s(p.name)} (${s(p.id)}) also names ${s(p.other)} (${s(p.otherId)}); an alias must name one indicator only (fix the targets file)`,
  },
  FIGURE_NO_INDICATOR: {
    fault: 'input', status: 422, doc: 'A row has figures but no indicator name.',
    zh: () => '未填指标名称或编号',
    en: () => 'no indicator name or id',
  },
  FIGURE_UNKNOWN_INDICATOR: {
    fault: 'input', status: 422, doc: 'A row names no indicator or task of the report.',
    zh: (p) => `没有名为“${s(p.name)}”的指标或任务${p.hint ? `；是否应为“${s(p.hint)}”？` : ''}（名称和编号以目标文件为准）`,
    en: (p) => `unknown indicator or task "${s(p.name)}"${p.hint ? `; did you mean "${s(p.hint)}"?` : ''} (names and ids are those of the targets file)`,
  },
  FIGURE_DUPLICATE: {
    fault: 'input', status: 422, doc: 'Two rows give the same indicator for the same period.',
    zh: (p) => `“${s(p.name)}”重复（第 ${s(p.first)} 行已填）；每个指标每个期间只保留一行`,
    en: (p) => `duplicate row for "${s(p.name)}" (first given in row ${s(p.first)}); keep one row per indicator and period`,
  },
  FIGURE_DATE_INVALID: {
    fault: 'input', status: 422, doc: 'The 数据截至 (as-of) date is not a date, not a real date, in the future, or before the period.',
    zh: (p) =>
      p.variant === 'serial' ? `“${s(p.cell)}”是 Excel 日期序号（${s(p.date)}），不是日期；请把单元格设为日期格式，或直接填写 ${s(p.date)}`
      : p.variant === 'unreal' ? `“${s(p.cell)}”不是真实存在的日期（${s(p.y)}年${s(p.m)}月没有 ${s(p.d)} 日）`
      : p.variant === 'future' ? `数据截至日期 ${s(p.date)} 晚于今天（${s(p.today)}）；数据不能截至未来的日期`
      : p.variant === 'early' ? `数据截至日期 ${s(p.date)} 早于 ${s(p.period)} 的起始日（${s(p.start)}）；这是否是更早期间的数据？`
      : `“${s(p.cell)}”不是日期；应写作如 ${s(p.example)}`,
    en: (p) =>
      p.variant === 'serial' ? `"${s(p.cell)}" is an Excel date serial number (${s(p.date)}), not a date; format the cell as a date or write ${s(p.date)}`
      : p.variant === 'unreal' ? `"${s(p.cell)}" is not a real date (${s(p.y)}年${s(p.m)}月 has no day ${s(p.d)})`
      : p.variant === 'future' ? `the as-of date ${s(p.date)} is after today (${s(p.today)}); figures cannot be as of a future date`
      : p.variant === 'early' ? `the as-of date ${s(p.date)} is before ${s(p.period)} began (${s(p.start)}); is this a row of an earlier period?`
      : `"${s(p.cell)}" is not a date; expected e.g. ${s(p.example)}`,
  },
  FIGURE_STATUS_INVALID: {
    fault: 'input', status: 422, doc: 'A status cell is not one of the allowed statuses.',
    zh: (p) => `“${s(p.cell)}”不是${p.name === undefined ? '任务' : `${s(p.name)}的`}可用状态；应为${Array.isArray(p.expected) ? p.expected.join('、') : ''}之一`,
    en: (p) => (p.name === undefined ? `"${s(p.cell)}" is not a task status; expected one of ${el(p.expected, '、')}` : `"${s(p.cell)}" is not a status for ${s(p.name)}; expected one of ${el(p.expected, '、')}`),
  },
  FIGURE_CONFIRMED_INVALID: {
    fault: 'input', status: 422, doc: 'The 确认 cell is neither 是 nor blank.',
    zh: (p) => `“${s(p.cell)}”不是确认标记；确认数值无误请填“是”，否则留空`,
    en: (p) => `"${s(p.cell)}" is not a confirmation; write 是 to confirm the value as written, or leave it blank`,
  },
  FIGURE_NOT_A_NUMBER: {
    fault: 'input', status: 422, doc: 'A value, growth or reference cell is not a number.',
    zh: (p) =>
      p.variant === 'reference' ? `“${s(p.cell)}”不是${s(p.name)}可用的参照值；应填写数字，如 5.5`
      : p.variant === 'yoy' ? `“${s(p.cell)}”不是${s(p.name)}可用的同比增速；应填写百分数的数值，如 5.2`
      : `“${s(p.cell)}”不是${s(p.name)}可用的数值；应填写以${unitZh(p.unit)}为单位的数字，如 1234.5`,
    en: (p) =>
      p.variant === 'reference' ? `"${s(p.cell)}" is not a reference figure for ${s(p.name)}; expected a number, e.g. 5.5`
      : p.variant === 'yoy' ? `"${s(p.cell)}" is not usable for ${s(p.name)}; expected a growth rate in percent, e.g. 5.2`
      : `"${s(p.cell)}" is not usable for ${s(p.name)}; expected a number in ${s(p.unit) || 'the indicator unit'}, e.g. 1234.5`,
  },
  FIGURE_UNIT_UNKNOWN: {
    fault: 'input', status: 422, doc: 'The unit given (cell, unit column, header or title) does not convert to the indicator’s unit.',
    zh: (p) =>
      `${p.from === 'unit-cell' ? `单位列（${s(p.column)}）写的是“${s(p.given)}”` : p.from === 'cell' ? `单元格写的是“${s(p.cell)}”` : `表格的单位（标题注明或列表头）为“${s(p.given)}”`}，无法换算为${s(p.name)}的单位${unitZh(p.unit)}；请以${unitZh(p.unit)}或可换算的单位填写`,
    en: (p) =>
      `${p.from === 'unit-cell' ? `the unit cell (${s(p.column)}) says ${s(p.given)}` : p.from === 'cell' ? `the cell says "${s(p.cell)}"` : `the table's unit (title note or column header) is ${s(p.given)}`}, which cannot be converted to ${s(p.name)}'s unit ${s(p.unit) || '(none)'}; give the value in ${s(p.unit) || 'the indicator unit'} or a unit convertible to it`,
  },
  FIGURE_NEGATIVE: {
    fault: 'input', status: 422, doc: 'A cumulative amount or count is negative.',
    zh: (p) => `${s(p.name)}不能为负数（${s(p.cell)}）；请核对正负号`,
    en: (p) => `${s(p.name)} cannot be negative (${s(p.cell)}); check the sign`,
  },

  // ── Plausibility: the finding's text is Chinese already; English keeps the rule's name ──
  FIGURE_SCALE_SUSPECT: finding('A value is far off its target’s scale (a unit or magnitude error); refused unless confirmed with 是 in 确认.'),
  FIGURE_PERCENT_OVER_100: finding('A share above 100% (an error).'),
  FIGURE_DECLINE_OVER_100: finding('A fall of more than 100% (an error).'),
  FIGURE_GROWTH_IMPLAUSIBLE: finding('A growth rate outside the usual band (a warning).'),
  FIGURE_MANY_TIMES_BASELINE: finding('A value many times its target or baseline (a warning).'),
  FIGURE_MANY_TIMES_PREVIOUS: finding('A cumulative value many times the previous period’s (a warning).'),
  FIGURE_CUMULATIVE_DECREASE: finding('A cumulative value below the previous period’s (a warning).'),
  FIGURE_PART_EXCEEDS_WHOLE: finding('A part larger than the whole it belongs to (a warning).'),
  FIGURE_LEADING_ZERO: finding('A number with a leading zero, perhaps a lost decimal point (a warning).'),
  FIGURE_NO_DECIMAL_POINT: finding('Many numbers and not one decimal point (a warning).'),

  // ── Requests, configuration, sources (CLI and API) ──────────────────────────────────
  INPUT_INVALID: {
    fault: 'input', status: 400, doc: 'An input was refused; the details list each problem.',
    zh: () => '输入有误，未生成、未归档任何内容',
    en: () => 'the input was refused',
  },
  CONFIG_INVALID: {
    fault: 'input', doc: 'A job definition, targets file or token file is invalid (each problem of a schema has its own CONFIG_ or TARGETS_ code).',
    zh: () => '配置文件有误',
    en: () => 'a configuration file is invalid',
  },
  // ── A configuration file (job.yaml, targets file, calendar), one code per kind of problem; 400 as an
  //    input error was before they had codes (the API lists each problem in details) ──
  CONFIG_MISSING: {
    fault: 'input', status: 400, doc: 'A required field of a configuration file is missing.',
    zh: () => '缺少此项；请补上',
    en: () => 'missing; add it',
  },
  CONFIG_TYPE: {
    fault: 'input', status: 400, doc: 'A field of a configuration file has the wrong kind of value (text, number, list…).',
    zh: (p) => `应为${typeZh(p.expected)}`,
    en: (p) => `expected ${s(p.expected)}`,
  },
  CONFIG_VALUE: {
    fault: 'input', status: 400, doc: 'A field of a configuration file is not one of the values it allows.',
    zh: (p) => `应为以下之一：${zl(p.values)}`,
    en: (p) => `expected one of: ${el(p.values)}`,
  },
  CONFIG_TOO_SMALL: {
    fault: 'input', status: 400, doc: 'A number, text or list of a configuration file is below its minimum.',
    zh: (p) => (p.origin === 'array' || p.origin === 'set' ? `至少应有 ${s(p.minimum)} 项` : p.origin === 'string' ? (s(p.minimum) === '1' ? '不能为空' : `至少 ${s(p.minimum)} 个字符`) : `不能小于 ${s(p.minimum)}`),
    en: (p) => `below the minimum of ${s(p.minimum)}`,
  },
  CONFIG_TOO_BIG: {
    fault: 'input', status: 400, doc: 'A number, text or list of a configuration file is over its maximum.',
    zh: (p) => (p.origin === 'array' || p.origin === 'set' ? `最多 ${s(p.maximum)} 项` : p.origin === 'string' ? `最多 ${s(p.maximum)} 个字符` : `不能大于 ${s(p.maximum)}`),
    en: (p) => `over the maximum of ${s(p.maximum)}`,
  },
  CONFIG_FORMAT: {
    fault: 'input', status: 400, doc: 'A text of a configuration file is not in its format (an id, a time, an email address…).',
    zh: (p) => `格式不对${FORMAT_ZH[s(p.format)] ? `；应为${FORMAT_ZH[s(p.format)]}` : p.example !== undefined ? `；应写作如“${s(p.example)}”` : '；请对照文档中此项的写法'}`,
    en: (p) => `not in the expected format (${s(p.format)})`,
  },
  CONFIG_UNKNOWN_KEYS: {
    fault: 'input', status: 400, doc: 'A configuration file has fields jibao does not know (a misspelling?).',
    zh: (p) => `有无法识别的字段${zl(p.keys)}；请检查拼写或删去`,
    en: (p) => `unknown field(s): ${el(p.keys)}`,
  },
  CONFIG_UNION: {
    fault: 'input', status: 400, doc: 'A field of a configuration file matches none of the forms it may take.',
    zh: () => '不符合此项允许的任何一种写法；请对照文档',
    en: () => 'matches none of the allowed forms',
  },
  CONFIG_RULE: {
    fault: 'input', status: 400, doc: 'A configuration file breaks one of its rules (details in English from the schema).',
    zh: () => '不符合配置规则',
    en: () => 'breaks a rule of the configuration',
  },
  CONFIG_UNREADABLE: {
    fault: 'input', status: 400, doc: 'A configuration file (job definition, targets file, calendar) cannot be read.',
    zh: (p) => `无法读取此文件：${p.reason === 'ENOENT' ? '文件不存在' : p.reason === 'EACCES' || p.reason === 'EPERM' ? '没有读取权限' : p.reason === 'EISDIR' ? '这是文件夹而不是文件' : '读取失败'}`,
    en: (p) => `cannot read the file: ${s(p.reason)}`,
  },
  CONFIG_YAML: {
    fault: 'input', status: 400, doc: 'A configuration file is not valid YAML.',
    zh: () => '不是有效的“YAML”写法；请检查缩进、冒号、引号和重复的字段',
    en: () => 'not valid YAML',
  },
  CONFIG_ID_MISMATCH: {
    fault: 'input', status: 400, doc: 'A job’s id differs from its folder, or a targets file’s report id from its job.',
    zh: (p) => `写的是${zl(p.value)}，而${p.of === 'job' ? '任务' : '文件夹'}是${zl(p.expected)}；二者须一致`,
    en: (p) => `is "${s(p.value)}" but the ${p.of === 'job' ? 'job' : 'folder'} is "${s(p.expected)}"; they must match`,
  },
  REPORT_UNKNOWN: {
    fault: 'input', status: 404, doc: 'No report (jobs/<id>/job.yaml) has this id, or the id is not one.',
    zh: (p) => (p.variant === 'not-id' ? `${zl(p.id)}不是报告编号；应写作如“yuquan-2023”` : `没有报告${zl(p.id)}；现有报告：${Array.isArray(p.known) && p.known.length > 0 ? zl(p.known) : '（无）'}`),
    en: (p) => (p.variant === 'not-id' ? `"${s(p.id)}" is not a report id; expected e.g. yuquan-2023` : `no such report "${s(p.id)}"; known reports: ${el(p.known) || '(none)'}`),
  },
  TARGETS_RULE: {
    fault: 'input', status: 400, doc: 'An indicator of a targets file breaks a rule of its kind (units, reference, seasonal baseline, tolerance).',
    zh: (p) =>
      p.variant === 'growth-percent' ? '对增速的相对目标，单位应为“%”'
      : p.variant === 'value-unit-needed' ? '对数值的相对目标，须给出该数值的单位（“unit”）'
      : p.variant === 'value-unit-misplaced' ? '“value_unit”只用于“measure: growth”；数值的单位请写在“unit”'
      : p.variant === 'own-reference' ? '指标不能以自身为参照'
      : p.variant === 'qualitative-reference' ? `${zl(p.id)}是定性指标，没有可比较的数值`
      : p.variant === 'seasonal-baseline' ? '“seasonal: last-year”按去年同期进度比较，须给出大于 0 的“baseline”（去年全年总量）'
      : p.variant === 'tolerance-unjudged' ? '此类指标不按数值评价；请删去“tolerance”'
      : '不符合此类指标的规则',
    en: (p) => `breaks a rule of its kind (${s(p.variant)})`,
  },
  TARGETS_SECTION_UNKNOWN: {
    fault: 'input', status: 400, doc: 'An indicator or task names a section the targets file does not have.',
    zh: (p) => `没有编号为${zl(p.section)}的篇章；应为以下之一：${zl(p.sections)}`,
    en: (p) => `unknown section "${s(p.section)}"; expected one of ${el(p.sections)}`,
  },
  TARGETS_DUPLICATE: {
    fault: 'input', status: 400, doc: 'Two indicators or tasks of a targets file share an id or a name.',
    zh: (p) => `${p.field === 'name' ? '名称' : '编号'}${zl(p.value)}重复（与${p.alsoKind === 'tasks' ? '任务' : '指标'}第 ${s(p.alsoNo)} 项相同）`,
    en: (p) => `duplicate ${p.field === 'name' ? 'name' : 'id'} "${s(p.value)}" (also ${s(p.alsoKind)}[${Number(p.alsoNo) - 1}])`,
  },
  TARGETS_NO_SUCH_INDICATOR: {
    fault: 'input', status: 400, doc: 'A targets file refers (part_of, reference) to an indicator id it does not have.',
    zh: (p) => `没有编号为${zl(p.id)}的指标`,
    en: (p) => `no indicator with id "${s(p.id)}"`,
  },
  TARGETS_UNIT_MISMATCH: {
    fault: 'input', status: 400, doc: 'An indicator and the one it is part of, or compared with, are in different units.',
    zh: (p) => `${zl(p.other)}的单位是${s(p.otherUnit) || '（无单位）'}，此指标是${s(p.unit) || '（无单位）'}；二者须使用同一单位`,
    en: (p) => `"${s(p.other)}" is in ${s(p.otherUnit) || '(no unit)'}, this indicator in ${s(p.unit) || '(no unit)'}; they need the same unit`,
  },
  TARGETS_SAMPLE_NOTICE: {
    fault: 'input', status: 400, doc: 'A targets file marked as sample data does not say so in sample_notice.',
    zh: () => '“sample_data”为“true”时，须在“sample_notice”中说明数据仅为示例',
    en: () => 'sample_data is true: say in sample_notice that the figures are illustrative',
  },
  SCHEDULE_RULE: {
    fault: 'input', status: 400, doc: 'A job’s schedule mixes cron and working_day settings.',
    zh: (p) =>
      p.variant === 'working-day-only' ? '此项只与“working_day”一起使用'
      : p.variant === 'cron-only' ? '此项只与“cron”一起使用（按“working_day”触发时本已落在工作日）'
      : '应给出“cron”或“working_day”（每月第几个工作日）之一，不能两者都有或都没有',
    en: (p) => (p.variant === 'working-day-only' ? 'goes with working_day only' : p.variant === 'cron-only' ? 'goes with cron only' : 'expected either cron or working_day, not both or neither'),
  },
  PERIOD_INVALID: {
    fault: 'input', status: 400, doc: 'A requested period is not a period.',
    zh: (p) => (p.text === undefined ? '期间无效；应写作如 2023Q3、2023-09 或 2023年1-9月' : `“${s(p.text)}”不是有效的期间；应写作如 2023Q3、2023-09 或 2023年1-9月`),
    en: (p) => s(p.detail) || 'not a period; expected e.g. 2023Q3, 2023-09 or 2023年1-9月',
  },
  PERIOD_OUT_OF_YEAR: {
    fault: 'input', status: 400, doc: 'The period is not in the targets’ year.',
    zh: (p) => (p.year === undefined ? '所请求的期间不在目标文件的年度内' : `期间 ${s(p.period)} 不在 ${s(p.year)} 年内，而目标文件是 ${s(p.year)} 年的；应为 ${s(p.year)}Q1–${s(p.year)}Q4 或 ${s(p.year)}-01–${s(p.year)}-12`),
    en: (p) => `the period ${s(p.period)} is not in ${s(p.year)}, the year these targets are for; expected ${s(p.year)}Q1–${s(p.year)}Q4 or ${s(p.year)}-01–${s(p.year)}-12`,
  },
  NOTE_TOO_LONG: {
    fault: 'input', status: 400, doc: 'The note (更正说明) is over the length limit.',
    zh: (p) => (p.length === undefined ? '更正说明过长' : `更正说明有 ${s(p.length)} 个字，最多 ${s(p.max)} 个字`),
    en: (p) => `is ${s(p.length)} characters; at most ${s(p.max)}`,
  },
  SOURCE_TOKEN_MISSING: {
    fault: 'input', doc: 'The environment variable named by source.token_env is not set.',
    zh: (p) => `环境变量 ${s(p.env)}（数据源的访问令牌）未设置`,
    en: (p) => `the environment variable ${s(p.env)} (the source's bearer token) is not set`,
  },
  SOURCE_REFUSED: {
    fault: 'input', doc: 'The figure source refused the request (HTTP 4xx other than 404/408/429).',
    zh: (p) => `数据源拒绝了请求：HTTP ${s(p.status)}${p.env !== undefined ? `；请检查 ${s(p.env)} 中的令牌` : ''}`,
    en: (p) => `the source refused the request: HTTP ${s(p.status)}${p.env !== undefined ? `; check the token in ${s(p.env)}` : ''}`,
  },
  SOURCE_BAD_ANSWER: {
    fault: 'input', doc: 'The figure source answered with something other than the expected JSON.',
    zh: (p) =>
      p.variant === 'period' ? `数据源返回的期间“${s(p.text)}”不是有效的期间`
      : p.variant === 'schema' ? '数据源返回的 JSON 结构不符合要求；应为 { "period", "as_of", "figures": [ { "indicator", "value", … } ] }'
      : '数据源返回的内容不是 JSON；应为 { "period", "as_of", "figures": [ { "indicator", "value", "yoy", … } ] }',
    en: (p) =>
      p.variant === 'period' ? `"${s(p.text)}" is not a period`
      : p.variant === 'schema' ? `unexpected JSON: ${s(p.detail)}; expected { "period", "as_of", "figures": [ { "indicator", "value", … } ] }`
      : 'the answer is not JSON; expected { "period", "as_of", "figures": [ { "indicator", "value", "yoy", … } ] }',
  },
  SOURCE_URL_CREDENTIALS: {
    fault: 'input', doc: 'The source URL carries credentials; name an environment variable in source.token_env instead.',
    zh: () => '数据源地址中含有账号密码或令牌；请把令牌放在环境变量中，并在 source.token_env 中写明变量名',
    en: () => 'carries credentials; put the token in an environment variable named by source.token_env',
  },
  PATH_OUTSIDE_JOBS: {
    fault: 'input', doc: 'A path of the job definition leads outside the jobs (or templates) folder.',
    zh: () => '路径指向作业文件夹之外（经由“..”或符号链接）；请把文件移入，或在作业定义中设置 allow_outside_jobs_dir: true',
    en: () => 'leads outside the jobs folder (through ".." or a symbolic link)',
  },
  SOURCE_TOO_LARGE: {
    fault: 'input', doc: 'The figure source’s answer is over source.max_bytes.',
    zh: (p) => `数据源返回的内容过大：${p.declared !== undefined ? `声明为 ${s(p.declared)} 字节` : `已收到超过 ${s(p.max)} 字节`}，超过上限 ${s(p.max)} 字节（source.max_bytes）`,
    en: (p) => `the answer is too large: ${p.declared !== undefined ? `it announces ${s(p.declared)} bytes` : `more than ${s(p.max)} bytes arrived`}, over the limit of ${s(p.max)} (source.max_bytes)`,
  },
  SOURCE_SLOW: {
    fault: 'source', doc: 'The figure source answered too slowly; retried.',
    zh: () => '数据源响应过慢，稍后将重试',
    en: () => 'the figure source answered too slowly',
  },
  SOURCE_UNAVAILABLE: {
    fault: 'source', doc: 'The figure source could not be reached or answered with an error; retried.',
    zh: () => '数据源暂时无法访问，稍后将重试',
    en: () => 'the figure source is unavailable',
  },
  FIGURES_NOT_READY: {
    fault: 'source', doc: 'The source has no figures for the period yet.',
    zh: () => '该期间的数据尚未就绪',
    en: () => 'figures not ready',
  },
  TEMPLATE_INVALID: {
    fault: 'input', doc: 'The briefing template cannot be compiled or rendered.',
    zh: () => '简报模板有误，无法排版',
    en: () => 'the briefing template is invalid',
  },
  GLYPH_MISSING: {
    fault: 'input', doc: 'The briefing uses characters its fonts cannot show.',
    zh: () => '简报中有字体无法显示的字符；请在 fonts/fonts.yaml 中配置含有这些字符的字体，或修改文字',
    en: () => 'the briefing uses characters its fonts cannot show',
  },
  RENDER_TIMEOUT: {
    fault: 'system', retryable: false, doc: 'The render went over its time budget (deterministic: not retried).',
    zh: (p) => `简报排版超过时间上限${p.limit === undefined ? '' : `（${s(p.limit)} ms）`}，已中止；请检查数据中是否有异常大的数值，或调高上限`,
    en: (p) => `the briefing did not render within ${s(p.limit)} ms`,
  },
  RENDER_MEMORY: {
    fault: 'system', retryable: false, doc: 'The render went over its memory budget (deterministic: not retried).',
    zh: (p) => `简报排版超过内存上限${p.limit === undefined ? '' : `（${s(p.limit)} MB）`}，已中止；请检查数据中是否有异常大的数值，或调高上限`,
    en: (p) => `the render needed more than ${s(p.limit)} MB`,
  },
  TOKEN_CONFIG_INVALID: {
    fault: 'input', doc: 'The API token configuration is invalid.',
    zh: () => 'API 令牌配置有误',
    en: () => 'the API token configuration is invalid',
  },
  USAGE: {
    fault: 'input', doc: 'The command line is not valid (unknown option, missing argument).',
    zh: () => '命令用法有误；请用 --help 查看用法',
    en: () => 'invalid command line',
  },

  // ── The API's general answers, so that a client can branch on every error it gets ──
  BAD_REQUEST: {
    fault: 'input', status: 400, doc: 'The request is malformed (schema, unknown field, bad id).',
    zh: (p) => (p.snapshot !== undefined ? `“${s(p.snapshot)}”不是快照编号；应如“yuquan-2023_2023Q3_v1”` : p.field === 'email' ? '“仅发给我”需要填写您的邮箱' : '请求格式有误'),
    en: (p) => (p.snapshot !== undefined ? `"${s(p.snapshot)}" is not a snapshot id; expected e.g. yuquan-2023_2023Q3_v1` : p.field === 'email' ? 'send "me" needs your email' : s(p.detail) || 'bad request'),
  },
  UNAUTHORIZED: {
    fault: 'input', status: 401, doc: 'No valid bearer token.',
    zh: () => '需要有效的访问令牌；请重新登录',
    en: () => 'a valid bearer token is required (Authorization: Bearer …)',
  },
  TOKEN_EXPIRED: {
    fault: 'input', status: 401, doc: 'The token has expired.',
    zh: (p) => `该令牌已于 ${s(p.expires)} 过期；请向管理员申请新令牌`,
    en: (p) => `this token expired on ${s(p.expires)}; ask an administrator for a new one`,
  },
  LOGIN_THROTTLED: {
    fault: 'input', status: 429, doc: 'Too many failed logins from this address.',
    zh: (p) => `该地址登录失败次数过多；请 ${s(p.wait)} 秒后再试`,
    en: (p) => `too many failed logins from this address; try again in ${s(p.wait)} s`,
  },
  FORBIDDEN: {
    fault: 'input', status: 403, doc: 'The token’s role does not allow this.',
    zh: (p) => `此操作需要“${ROLE_ZH[s(p.role)] ?? s(p.role)}”权限，当前令牌为“${ROLE_ZH[s(p.has)] ?? s(p.has)}”`,
    en: (p) => `this needs the ${s(p.role)} role; the token has ${s(p.has)}`,
  },
  SEND_ME_REFUSED: {
    fault: 'input', status: 403, doc: '“Send to me” to an address not bound to the token.',
    zh: (p) => (p.bound ? '“仅发给我”只能发到此令牌绑定的邮箱' : '“仅发给我”需要此令牌绑定邮箱（email=…），或邮箱属于 JIBAO_SEND_ME_DOMAINS 所列域名'),
    en: (p) => (p.bound ? 'send "me" goes only to the address bound to this token' : 'send "me" needs an address bound to this token (email=…) or in JIBAO_SEND_ME_DOMAINS'),
  },
  NOT_FOUND: {
    fault: 'input', status: 404, doc: 'No such report, run, snapshot or endpoint.',
    zh: (p) => (p.kind === 'report' ? `没有报告“${s(p.id)}”` : p.kind === 'run' ? `没有运行记录“${s(p.id)}”` : p.kind === 'snapshot' ? `没有快照“${s(p.id)}”` : '没有该接口'),
    en: (p) => (p.kind === undefined ? 'no such endpoint' : `no ${s(p.kind)} "${s(p.id)}"`),
  },
  RATE_LIMITED: {
    fault: 'input', status: 429, doc: 'Too many reruns from this token.',
    zh: (p) => `此令牌重新生成次数过多；每分钟最多 ${s(p.max)} 次`,
    en: (p) => `too many reruns from this token; at most ${s(p.max)} a minute`,
  },
  TOO_MANY_CONNECTIONS: {
    fault: 'input', status: 429, doc: 'Too many open connections from one address.',
    zh: () => '该地址打开的连接过多；请稍后再试',
    en: () => 'too many open connections from this address',
  },
  FIGURE_REPORTED_TWICE: {
    fault: 'input', status: 422, doc: 'Two files report the same indicator for the period with the same as-of date: the newer must say so.',
    zh: (p) => `“${s(p.key)}”的${s(p.period)}数据重复报送：${s(p.first)}（第 ${s(p.firstRow)} 行）与 ${s(p.second)}（第 ${s(p.secondRow)} 行），${p.asOf ? `数据截至日期均为 ${s(p.asOf)}` : '均未填数据截至日期'}；请删去一份，或在较新的一份填写更晚的数据截至日期`,
    en: (p) => `${s(p.key)} is reported twice for ${s(p.period)}: in ${s(p.first)} (row ${s(p.firstRow)}) and in ${s(p.second)} (row ${s(p.secondRow)}), ${p.asOf ? `both as of ${s(p.asOf)}` : 'neither with an as-of date (数据截至)'}; remove one, or give the newer one a later 数据截至`,
  },
  ARCHIVE_SIGNING_KEY_INVALID: {
    fault: 'input', status: 500, doc: 'JIBAO_ARCHIVE_SIGNING_KEY is not an Ed25519 private key (PEM or base64 PKCS#8); nothing is archived until it is fixed.',
    zh: () => 'JIBAO_ARCHIVE_SIGNING_KEY 不是有效的归档签名私钥；请运维人员更正后重试，未归档任何内容',
    en: () => 'JIBAO_ARCHIVE_SIGNING_KEY is not an Ed25519 private key (expected PEM or base64 PKCS#8); nothing was archived',
  },
  ARCHIVE_URL_INVALID: {
    fault: 'input', status: 500, doc: 'The S3 endpoint (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL) is not an http(s) URL, or carries credentials; nothing is archived until it is fixed.',
    zh: (p) => `归档存储地址 ${s(p.url)} 无效（${s(p.reason) === 'credentials' ? '地址中不得含账号密码，请用 AWS_ACCESS_KEY_ID、AWS_SECRET_ACCESS_KEY' : 'AWS_ENDPOINT_URL_S3 应为 HTTP 网址'}）；请运维人员更正，未归档任何内容`,
    en: (p) => `the archive endpoint ${s(p.url)} is invalid (${s(p.reason) === 'credentials' ? 'no credentials in the URL: use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY' : 'AWS_ENDPOINT_URL_S3 must be an http(s) URL'}); nothing was archived`,
  },
  ARCHIVE_UNAVAILABLE: {
    fault: 'system', status: 503, doc: 'The S3 archive could not be reached or refused the request (after the SDK\'s retries); a queued job is retried.',
    zh: (p) => `归档存储暂时无法访问（${s(p.reason)}）；稍后自动重试`,
    en: (p) => `the archive store could not be reached (${s(p.reason)}); retried later`,
  },
  ARCHIVE_URL_UNSUPPORTED: {
    fault: 'input', status: 500, doc: 'JIBAO_ARCHIVE_URL is neither a folder (a path or file://) nor s3://bucket/prefix, or names a store this build lacks.',
    zh: (p) => `JIBAO_ARCHIVE_URL“${s(p.url)}”无法识别：应为本机文件夹路径或 s3:// 地址（存储桶/前缀）；请运维人员更正`,
    en: (p) => `JIBAO_ARCHIVE_URL "${s(p.url)}" is not supported: expected a folder path, file:// or s3://bucket/prefix`,
  },
  SNAPSHOT_FILE_MISSING: {
    fault: 'system', retryable: false, status: 404, doc: 'The snapshot holds no file of that name (or it was removed from the archive: run `jibao archive verify`).',
    zh: (p) => `快照 ${s(p.snapshot)} 中没有文件“${s(p.name)}”；如归档曾被改动，请运维人员核验归档`,
    en: (p) => `snapshot ${s(p.snapshot)} has no file "${s(p.name)}" (run jibao archive verify if the archive was touched)`,
  },
  SNAPSHOT_SUPERSEDED: {
    fault: 'input', status: 409, doc: 'A newer draft of the same report and period exists: approve that one.',
    zh: (p) => `${s(p.snapshot)} 已被第 ${s(p.newer)} 版取代，不能签发；请签发 ${s(p.report)}/${s(p.period)}/v${s(p.newer)}`,
    en: (p) => `${s(p.snapshot)} is superseded by v${s(p.newer)}; approve ${s(p.report)}/${s(p.period)}/v${s(p.newer)} instead`,
  },
  SNAPSHOT_REJECTED: {
    fault: 'input', status: 409, doc: 'The draft was rejected (退回): it cannot be approved; make a new version.',
    zh: (p) => `${s(p.snapshot)} 已于 ${s(p.at)} 被 ${s(p.by)} 退回，不能签发；请改正后重新生成`,
    en: (p) => `${s(p.snapshot)} was rejected by ${s(p.by)} on ${s(p.at)}; it cannot be approved (make a new version)`,
  },
  SNAPSHOT_APPROVED: {
    fault: 'input', status: 409, doc: 'The draft was approved and sent: it cannot be rejected; make a corrected version.',
    zh: (p) => `${s(p.snapshot)} 已于 ${s(p.at)} 由 ${s(p.by)} 签发并发送，不能退回；如需更正请生成新版本`,
    en: (p) => `${s(p.snapshot)} was approved by ${s(p.by)} on ${s(p.at)} and sent; it cannot be rejected (make a corrected version)`,
  },
  SNAPSHOT_NOT_DRAFT: {
    fault: 'input', status: 409, doc: 'The snapshot was not made for review: it was sent when it was made.',
    zh: (p) => `${s(p.snapshot)} 不是待审核的简报稿（其任务未设审核），生成时已发送`,
    en: (p) => `${s(p.snapshot)} was not made for review (its job had no review:); it was sent when it was made`,
  },
  REPORT_OUT_OF_SCOPE: {
    fault: 'input', status: 403, doc: 'The token is limited to other reports (reports=…).',
    zh: (p) => `此令牌只能访问以下报告：${s(p.reports)}`,
    en: (p) => `this token is limited to ${s(p.reports)}`,
  },
  INTERNAL: {
    fault: 'system', status: 500, doc: 'An internal error; the operators see the details in the log.',
    zh: () => '系统内部错误；请联系管理员',
    en: () => 'internal error',
  },
} satisfies Record<string, MessageEntry>;

const ROLE_ZH: Record<string, string> = { viewer: '查看', staff: '工作人员', approver: '审核签发', admin: '管理员' };

export type MessageCode = keyof typeof MESSAGES;

export const isMessageCode = (c: unknown): c is MessageCode => typeof c === 'string' && Object.hasOwn(MESSAGES, c);

/** The entry of a code, or undefined for a code not (yet) in the catalogue. */
export const messageEntry = (code: string | undefined): MessageEntry | undefined => (isMessageCode(code) ? MESSAGES[code] : undefined);

/** Never retried for input; retried for the source and the system unless the entry says otherwise. */
export const isRetryableCode = (code: string | undefined): boolean => {
  const e = messageEntry(code);
  return e ? (e.retryable ?? e.fault !== 'input') : true;
};

/** A code's text in `lang` with its values, or undefined when the catalogue lacks the code. */
export function renderMessage(code: string | undefined, params: Params | undefined, lang: Lang): string | undefined {
  const e = messageEntry(code);
  return e ? e[lang](params ?? {}) : undefined;
}
