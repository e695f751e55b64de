import path from 'node:path';
import { readdir, readFile, stat } from 'node:fs/promises';
import Handlebars from 'handlebars';
import { TemplateError } from './render-errors.ts';
import { displayPath } from '../display-path.ts';
import { STATUS_LABELS, type Status } from '../domain/evaluate.ts';
import { chineseDate, chineseNumeral, formatNumber, formatPoints, formatSigned } from '../domain/format.ts';
import { parsePeriod, periodName } from '../domain/period.ts';

export { TemplateError } from './render-errors.ts';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** Helpers for Chinese document conventions; all pure. */
export const HELPERS: Record<string, (...args: any[]) => string> = {
  /** {{cnNum 3}} → 三 */
  cnNum: (n: unknown) => chineseNumeral(num(n)),
  /** {{cnParen @index}} → (一) for the first item of an #each */
  cnParen: (i: unknown) => `（${chineseNumeral(num(i) + 1)}）`,
  /** {{cnDate "2023-10-15"}} → 2023年10月15日 */
  cnDate: (d: unknown) => chineseDate(String(d)),
  /** {{fmt 1234.5 2}} → 1234.50; {{fmt value}} keeps the number's own decimals; {{fmt 1234567 0 group=true}} → 1,234,567 */
  fmt: (v: unknown, ...rest: unknown[]) => {
    const opts = rest.at(-1) as { hash?: { group?: boolean } };
    const decimals = typeof rest[0] === 'number' ? rest[0] : undefined;
    return formatNumber(num(v), decimals, opts?.hash?.group === true);
  },
  /** {{amount 20.01 "亿元"}} → 20.01亿元; {{amount 123456 "元" 0 group=true}} → 123,456元 */
  amount: (v: unknown, unit: unknown, ...rest: unknown[]) => {
    const opts = rest.at(-1) as { hash?: { group?: boolean } };
    const decimals = typeof rest[0] === 'number' ? rest[0] : undefined;
    return `${formatNumber(num(v), decimals, opts?.hash?.group === true)}${String(unit)}`;
  },
  /** {{pct 68.75}} → 68.8% */
  pct: (v: unknown) => `${formatPoints(num(v))}%`,
  /** {{pctPoints -6.2}} → 6.2个百分点 (the size of a gap; the template says 高于 or 低于) */
  pctPoints: (v: unknown) => `${formatPoints(Math.abs(num(v)))}个百分点`,
  /** {{arabicItem @index}} → 1.  {{arabicParen @index}} → (1)  (third and fourth heading levels) */
  arabicItem: (i: unknown) => `${num(i) + 1}.`,
  arabicParen: (i: unknown) => `（${num(i) + 1}）`,
  /** {{periodName "2023Q3"}} → 前三季度; {{periodName "2023-11"}} → 1-11月 */
  periodName: (p: unknown) => periodName(parsePeriod(String(p))),
  /** {{points 6.75}} → 6.8 */
  points: (v: unknown) => formatPoints(num(v)),
  /** {{signed -6.8}} → −6.8 */
  signed: (v: unknown) => formatSigned(num(v)),
  /** {{statusText "lagging"}} → 滞后 */
  statusText: (s: unknown) => STATUS_LABELS[s as Status] ?? String(s),
};

export type RenderTemplate = (context: object) => string;

const COMPILE_OPTIONS = {
  strict: true,
  knownHelpers: Object.fromEntries(Object.keys(HELPERS).map((h) => [h, true])),
  knownHelpersOnly: true,
} as const;

/**
 * Compiles `templates/<name>.hbs` with every partial in `templates/partials/`, in an
 * isolated Handlebars environment (prototype-access protections left on). Syntax errors,
 * unknown helpers and missing partials fail here; missing fields fail at render, and both
 * name the file.
 */
export async function compileTemplate(templatesDir: string, name: string): Promise<{ render: RenderTemplate; files: string[] }> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new TemplateError(name, 'a template name is lowercase letters, digits and hyphens');
  // A long-running worker compiles once and recompiles when staff edit a template (size or mtime change).
  const key = await signature(templatesDir, name);
  const cached = key ? compiled.get(key) : undefined;
  if (cached) return cached;
  const result = await compileFresh(templatesDir, name);
  if (key) compiled.set(key, result);
  return result;
}

const compiled = new Map<string, { render: RenderTemplate; files: string[] }>();

async function signature(templatesDir: string, name: string): Promise<string | undefined> {
  const partialsDir = path.join(templatesDir, 'partials');
  const partials = (await readdir(partialsDir).catch(() => [])).filter((f) => f.endsWith('.hbs')).map((f) => path.join(partialsDir, f));
  const parts: string[] = [];
  for (const f of [path.join(templatesDir, `${name}.hbs`), ...partials.sort()]) {
    const st = await stat(f).catch(() => undefined);
    if (!st) return undefined;
    parts.push(`${f}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`);
  }
  return parts.join('|');
}

async function compileFresh(templatesDir: string, name: string): Promise<{ render: RenderTemplate; files: string[] }> {
  const hb = Handlebars.create();
  for (const [helper, fn] of Object.entries(HELPERS)) hb.registerHelper(helper, fn);

  const partialsDir = path.join(templatesDir, 'partials');
  const partialFiles = (await readdir(partialsDir).catch(() => [])).filter((f) => f.endsWith('.hbs')).sort();
  const files: string[] = [];
  for (const f of partialFiles) {
    const file = path.join(partialsDir, f);
    const rel = displayPath(file);
    const compiled = compileFile(hb, rel, await readFile(file, 'utf8'));
    hb.registerPartial(f.slice(0, -4), ((ctx: unknown, opts: unknown) => named(rel, () => compiled(ctx, opts as RuntimeOptions))) as Handlebars.Template);
    files.push(file);
  }
  const mainFile = path.join(templatesDir, `${name}.hbs`);
  const mainRel = displayPath(mainFile);
  const source = await readFile(mainFile, 'utf8').catch(() => {
    throw new TemplateError(mainRel, `no such template; expected a file ${name}.hbs in ${templatesDir}`);
  });
  const main = compileFile(hb, mainRel, source);
  files.unshift(mainFile);
  return { render: (context) => named(mainRel, () => main(context)), files };
}

type RuntimeOptions = Handlebars.RuntimeOptions;
type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

function compileFile(hb: typeof Handlebars, file: string, source: string): Handlebars.TemplateDelegate {
  try {
    // Compiled now, once: syntax and unknown-helper errors surface here, not at first use, and the
    // source is parsed a single time (hb.compile would parse it again, lazily, at the first render).
    const spec = hb.precompile(source, COMPILE_OPTIONS);
    return hb.template(new Function(`return ${spec}`)() as TemplateSpecification);
  } catch (e) {
    throw new TemplateError(file, describe(e));
  }
}

function named<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    throw new TemplateError(file, describe(e));
  }
}

/** Handlebars' messages, reduced to one line with the line number staff need. */
function describe(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const parse = /^Parse error on line (\d+):[\s\S]*?\n(Expecting [^\n]*|$)/.exec(msg);
  if (parse) return `line ${parse[1]}: syntax error${parse[2] ? ` (${parse[2].replace(/'/g, '')})` : ''}`;
  const loc = / - (\d+):(\d+)$/.exec(msg);
  const text = msg.replace(/ - \d+:\d+$/, '').replace(/ in \[object Object\]/, '').split('\n')[0]!;
  return loc ? `line ${loc[1]}: ${text}` : text;
}
