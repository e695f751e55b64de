import path from 'node:path';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import type ExcelJS from 'exceljs';
import { QUALITATIVE_STATUS_LABELS, TASK_STATUS_LABELS } from '../domain/figures.ts';
import { formatNumber } from '../domain/format.ts';
import { periodEndDate, periodId, periodTitle, type Period } from '../domain/period.ts';
import type { Indicator, KeyTask, Report } from '../domain/report.ts';
import { lastIndicatorText, lastTaskText, type LastPeriod } from './last-period.ts';
import { templateFileName, type UnitItems } from './units.ts';

/** The hidden sheet that says whose return a workbook is: read back by `readReturnMeta`. */
export const META_SHEET = 'jibao';
export const META_MARK = 'jibao-return';
export const DATA_SHEET = '报送表';

/**
 * The columns of the data sheet. Headers jibao's figure reader knows (指标, 期间, 计量单位,
 * 累计值, 同比增长, 状态, 数据截至, 备注, 来源) are read as usual; 年度目标 and 上期数据 are for the
 * unit's eyes only and match no figure column.
 */
const COLUMNS = [
  { key: 'name', header: '指标', width: 34 },
  { key: 'period', header: '期间', width: 9 },
  { key: 'unit', header: '计量单位', width: 10 },
  { key: 'target', header: '年度目标', width: 26 },
  { key: 'last', header: '上期数据', width: 24 },
  { key: 'value', header: '累计值', width: 12 },
  { key: 'yoy', header: '同比增长', width: 10 },
  { key: 'status', header: '状态', width: 11 },
  { key: 'asOf', header: '数据截至', width: 12 },
  { key: 'note', header: '备注', width: 30 },
  { key: 'source', header: '来源', width: 18 },
] as const;
type Key = (typeof COLUMNS)[number]['key'];
const col = (k: Key) => COLUMNS.findIndex((c) => c.key === k) + 1;
const HEADER_ROW = 3;

const LOCKED_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFEFEF' } };
const INPUT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF8DC' } };

export interface TemplateInput {
  readonly report: Report;
  readonly period: Period;
  readonly items: UnitItems;
  readonly last: LastPeriod;
  /** ISO date the returns are due, shown to the unit. */
  readonly due?: string;
  readonly generatedAt: Date;
}

/** Which cells of a row the unit fills. */
interface RowPlan {
  readonly value: boolean;
  readonly yoy: boolean;
  readonly status: readonly string[] | undefined;
  readonly nonNegative: boolean;
}

function planIndicator(ind: Indicator): RowPlan {
  const qual = Object.values(QUALITATIVE_STATUS_LABELS);
  switch (ind.kind) {
    case 'qualitative':
      return { value: false, yoy: false, status: qual, nonNegative: false };
    case 'relative':
      return { value: ind.measure === 'value' || ind.valueUnit !== undefined, yoy: true, status: qual, nonNegative: false };
    case 'growth':
      return { value: ind.valueUnit !== undefined, yoy: true, status: undefined, nonNegative: false };
    case 'cumulative':
      return { value: true, yoy: true, status: undefined, nonNegative: true };
    default:
      return { value: true, yoy: true, status: undefined, nonNegative: false };
  }
}

/** The unit the value cell is read in: a growth rate's amount has its own. */
function valueUnit(ind: Indicator): string {
  if (ind.kind === 'growth') return ind.valueUnit ?? '';
  if (ind.kind === 'relative') return ind.measure === 'value' ? ind.unit : (ind.valueUnit ?? '');
  if (ind.kind === 'qualitative') return '';
  return ind.unit;
}

function targetText(ind: Indicator): string {
  const q = ind.qualifier ?? '';
  switch (ind.kind) {
    case 'qualitative':
    case 'relative':
      return ind.targetText;
    case 'monitor':
      return '监测指标（不设目标）';
    case 'growth':
      return `增长${formatNumber(ind.target)}%${q}`;
    case 'ceiling':
      return `控制在${formatNumber(ind.target)}${ind.unit}${q || '以内'}`;
    default:
      return `${formatNumber(ind.target)}${ind.unit}${q}`;
  }
}

function taskTarget(task: KeyTask, period: Period): string {
  const q = `Q${Math.ceil(period.month / 3)}` as 'Q1' | 'Q2' | 'Q3' | 'Q4';
  const milestone = task.milestones[q];
  if (milestone) return `本期节点：${milestone}`;
  return task.deadline ? `完成时限：${task.deadline}` : (task.description ?? '重点任务');
}

/** One lead unit's template: its rows, the cells to fill validated, everything else locked. */
export async function buildTemplate(input: TemplateInput): Promise<ExcelJS.Workbook> {
  const { default: Excel } = await import('exceljs');
  const { report, period, items, last } = input;
  const pid = periodId(period);
  const wb = new Excel.Workbook();
  wb.creator = 'jibao';
  wb.created = input.generatedAt;
  wb.title = `${report.title} 报送模板`;
  wb.subject = `${report.id} ${pid} ${items.unit}`;

  const ws = wb.addWorksheet(DATA_SHEET, {
    views: [{ state: 'frozen', ySplit: HEADER_ROW, xSplit: 1 }],
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = COLUMNS.map((c) => ({ key: c.key, width: c.width }));
  const last1 = COLUMNS.length;
  ws.mergeCells(1, 1, 1, last1);
  ws.getCell(1, 1).value = `${report.title}　报送模板`;
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.mergeCells(2, 1, 2, last1);
  ws.getCell(2, 1).value = [`报送单位：${items.unit}`, `报送期间：${periodTitle(period)}（${pid}）`, input.due ? `报送截止：${input.due}` : undefined].filter(Boolean).join('　　');
  const header = ws.getRow(HEADER_ROW);
  COLUMNS.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.key === 'last' && last.period ? `上期数据（${periodId(last.period)}）` : c.header;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = { bottom: { style: 'thin' } };
  });

  // The reader refuses an as-of date before the span the period reports on last (its quarter or month).
  const firstMonth = period.kind === 'quarter' ? period.month - 2 : period.month;
  const dateFrom = new Date(Date.UTC(period.year, firstMonth - 1, 1));
  const dateTo = new Date(Date.UTC(period.year + 1, 11, 31));
  let r = HEADER_ROW + 1;
  const addRow = (values: Partial<Record<Key, string>>, plan: RowPlan, kindNote: string) => {
    const row = ws.getRow(r);
    for (const c of COLUMNS) {
      const cell = row.getCell(col(c.key));
      if (values[c.key] !== undefined) cell.value = values[c.key]!;
      cell.protection = { locked: true };
      cell.fill = LOCKED_FILL;
      cell.alignment = { vertical: 'middle', wrapText: c.key === 'name' || c.key === 'target' || c.key === 'note' || c.key === 'last' };
    }
    const open = (k: Key, validation?: ExcelJS.DataValidation, numFmt?: string) => {
      const cell = row.getCell(col(k));
      cell.protection = { locked: false };
      cell.fill = INPUT_FILL;
      if (validation) cell.dataValidation = validation;
      if (numFmt) cell.numFmt = numFmt;
    };
    if (plan.value) {
      open('value', {
        type: 'decimal',
        operator: plan.nonNegative ? 'greaterThanOrEqual' : 'between',
        allowBlank: true,
        formulae: plan.nonNegative ? [0] : [-1e12, 1e12],
        showErrorMessage: true,
        errorTitle: '累计值',
        error: `请填写数字（单位：${values.unit || '见计量单位列'}）${plan.nonNegative ? '，不能为负数' : ''}`,
      });
    }
    if (plan.yoy) open('yoy', { type: 'decimal', operator: 'between', allowBlank: true, formulae: [-100, 10000], showErrorMessage: true, errorTitle: '同比增长', error: '请填写同比增长的百分数，如 5.2（不带%）' });
    if (plan.status) {
      open('status', { type: 'list', allowBlank: true, formulae: [`"${plan.status.join(',')}"`], showErrorMessage: true, errorTitle: '状态', error: `请从下拉列表中选择：${plan.status.join('、')}` });
    }
    open('asOf', { type: 'date', operator: 'between', allowBlank: true, formulae: [dateFrom, dateTo], showErrorMessage: true, errorTitle: '数据截至', error: `请填写日期，如 ${periodEndDate(period)}` }, 'yyyy-mm-dd');
    open('note');
    open('source');
    row.getCell(col('name')).note = kindNote;
    r += 1;
  };

  for (const ind of items.indicators) {
    addRow(
      { name: ind.name, period: pid, unit: valueUnit(ind), target: targetText(ind), last: lastIndicatorText(ind, last.indicators.get(ind.id)), source: items.unit },
      planIndicator(ind),
      `${ind.id}：${ind.kind === 'qualitative' ? '请选择状态' : ind.kind === 'growth' ? '同比增长为考核数；累计值（如有）按计量单位填写' : '按计量单位填写累计值'}`,
    );
  }
  for (const task of items.tasks) {
    addRow({ name: task.name, period: pid, unit: '', target: taskTarget(task, period), last: lastTaskText(last.tasks.get(task.id)), source: items.unit }, { value: false, yoy: false, status: Object.values(TASK_STATUS_LABELS), nonNegative: false }, `${task.id}：重点任务，请选择状态并在备注中简述进展`);
  }
  // Locked and without a password: it keeps the names and targets from being typed over, it is not a secret.
  await ws.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true });

  const help = wb.addWorksheet('填报说明');
  const lines = [
    `${items.unit} ${periodTitle(period)}（${pid}）数据报送`,
    '1. 只填写黄色单元格：累计值、同比增长、状态（下拉选择）、数据截至（日期）、备注；灰色单元格已锁定。',
    '2. 累计值按"计量单位"列的单位填写，只填数字；同比增长填百分数（如 5.2，不带%）。',
    '3. "数据截至"填写数据的截止日期；同一指标多次报送的，以截止日期较新者为准，截止日期相同的将被退回。',
    `4. 上期数据取自：${last.from.startsWith('archive') ? '上期已印发简报的归档数据' : last.from === 'files' ? '上期报送的数据文件' : '（无）'}。`,
    '5. 请勿修改文件结构、工作表名称和隐藏内容；填好后保存为 .xlsx，按原文件名报送。',
    input.due ? `6. 报送截止日期：${input.due}。` : '',
  ].filter(Boolean);
  lines.forEach((l, i) => (help.getCell(i + 1, 1).value = l));
  help.getColumn(1).width = 100;
  help.getCell(1, 1).font = { bold: true };

  // Whose return this is, for `figures status` and the folder reader; very hidden, so it survives a save in Excel or WPS.
  const meta = wb.addWorksheet(META_SHEET, { state: 'veryHidden' });
  const facts: [string, string][] = [
    [META_MARK, '1'],
    ['report', report.id],
    ['period', pid],
    ['unit', items.unit],
    ['indicators', items.indicators.map((i) => i.id).join(',')],
    ['tasks', items.tasks.map((t) => t.id).join(',')],
    ['generated', input.generatedAt.toISOString()],
  ];
  facts.forEach(([k, v], i) => {
    meta.getCell(i + 1, 1).value = k;
    meta.getCell(i + 1, 2).value = v;
  });
  await meta.protect('', {});
  return wb;
}

/** Writes one unit's template into `dir` (whole or not at all); returns its path. */
export async function writeTemplate(input: TemplateInput, dir: string): Promise<string> {
  const wb = await buildTemplate(input);
  const file = path.join(dir, templateFileName(input.items.unit, periodId(input.period)));
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, Buffer.from(await wb.xlsx.writeBuffer()));
  await rename(tmp, file);
  return file;
}
