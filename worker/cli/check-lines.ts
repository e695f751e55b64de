import { cliLang, type Lang } from '../errors/index.ts';

/**
 * What `jibao check` says when a part passes, in the CLI's language (JIBAO_LANG / the locale, like
 * its errors). Not error codes, so not in the error catalogue: the same two languages, side by side.
 */
const LINES = {
  job: { en: (file: string) => `ok  job definition  ${file}`, zh: (file: string) => `通过  任务定义  ${file}` },
  targets: {
    en: (file: string, n: { indicators: number; tasks: number; sections: number }) => `ok  targets         ${file} (${n.indicators} indicators, ${n.tasks} tasks, ${n.sections} sections)`,
    zh: (file: string, n: { indicators: number; tasks: number; sections: number }) => `通过  目标文件  ${file}（${n.indicators} 项指标，${n.tasks} 项任务，${n.sections} 个篇章）`,
  },
  templates: { en: (names: string) => `ok  templates       ${names}`, zh: (names: string) => `通过  模板      ${names}` },
  periodHint: { en: () => '(give --period to check the figures of a period too)', zh: () => '（加上 --period 可同时检查某一期间的数据）' },
  figures: {
    en: (sources: string, n: { indicators: number; tasks: number }) => `ok  figures         ${sources} (${n.indicators} indicators, ${n.tasks} tasks)`,
    zh: (sources: string, n: { indicators: number; tasks: number }) => `通过  数据      ${sources}（${n.indicators} 项指标，${n.tasks} 项任务）`,
  },
  ignored: {
    en: (n: number) => `    ignored         ${n} row(s) name no indicator of the report (if one should, add its name to the indicator's aliases:)`,
    zh: (n: number) => `    未采用    ${n} 行的名称不是本报告的指标（如应是，请把该名称加入指标的 aliases 别名）`,
  },
  ignoredRow: {
    en: (file: string, row: number, name: string, closest: readonly string[]) => `      ${file}, row ${row}: ${name}${closest.length > 0 ? `  (closest: ${closest.join(', ')})` : ''}`,
    zh: (file: string, row: number, name: string, closest: readonly string[]) => `      ${file}，第 ${row} 行：${name}${closest.length > 0 ? `（最接近：${closest.join('、')}）` : ''}`,
  },
  briefing: { en: () => 'ok  briefing        template renders; every character has a glyph', zh: () => '通过  简报      模板可以生成；每个字都有字形' },
  status: { en: (counts: string) => `    status          ${counts}`, zh: (counts: string) => `    状态      ${counts}` },
  notReady: { en: (reason: string) => `not ready: ${reason}`, zh: (reason: string) => `数据尚未就绪：${reason}` },
} as const;

type Lines = typeof LINES;

/** The line `key` of `jibao check` in the CLI's language. */
export function checkLine<K extends keyof Lines>(key: K, ...args: Parameters<Lines[K]['en']>): string {
  const lang: Lang = cliLang();
  return (LINES[key][lang] as (...a: Parameters<Lines[K]['en']>) => string)(...args);
}
