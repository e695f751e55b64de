import { InputError, formatIssue } from '../domain/issues.ts';
import { classify, cliLang, errorLines, isMessageCode, type Lang } from '../errors/index.ts';
import { redactText } from '../redact.ts';

/** Exit statuses: 0 done, 1 bad input (fix and rerun), 2 internal error, 3 figures not ready yet, 4 figure source unreachable, 5 archived but not delivered. */
export const EXIT = { ok: 0, input: 1, internal: 2, notReady: 3, unavailable: 4, delivery: 5 } as const;

/** The closing line after an error, per kind, in each language. */
const AFTER = {
  input: { en: (n: number) => `${n} problem(s) found; nothing was rendered or archived.`, zh: (n: number) => `共发现 ${n} 个问题；未生成、未归档任何内容。` },
  template: { en: 'nothing was archived.', zh: '未归档任何内容。' },
  budget: { en: 'nothing was archived or sent; check the figures for absurd values, or raise the budget.', zh: '未归档、未发送任何内容。' },
  source: { en: 'nothing was rendered or archived; try again later.', zh: '未生成、未归档任何内容；请稍后再试。' },
  internal: {
    en: '(set JIBAO_DEBUG=1 to see the stack trace; nothing was archived unless reported above)',
    zh: '（设置 JIBAO_DEBUG=1 可查看调用栈；除上文所列外，未归档任何内容）',
  },
} as const;

/**
 * Prints an error the way staff need it — what, where, how to fix, with its code — and returns
 * the exit status, from the error's classification (its code's fault). Chinese when the locale
 * is (LANG=zh_CN.UTF-8 or JIBAO_LANG=zh). Never a stack trace unless JIBAO_DEBUG is set.
 */
export function reportError(e: unknown, write: (line: string) => void = (l) => process.stderr.write(l + '\n'), lang: Lang = cliLang()): number {
  if (e instanceof InputError) {
    for (const i of e.issues) write(formatIssue(i, lang));
    write(AFTER.input[lang](e.issues.length));
    return EXIT.input;
  }
  const c = classify(e);
  const [line] = errorLines(e, lang);
  const lead = lang === 'zh' ? '错误：' : 'error: ';
  if (c.code === 'INTERNAL' || !isMessageCode(c.code)) {
    const err = e instanceof Error ? e : new Error(String(e));
    write(lang === 'zh' ? `内部错误：${redactText(err.message)} [${c.code}]` : `internal error: ${redactText(err.message)}`);
    if (process.env['JIBAO_DEBUG']) write(err.stack ?? '');
    else write(AFTER.internal[lang]);
    return EXIT.internal;
  }
  write(`${lead}${line}`);
  if (c.fault === 'source') {
    write(AFTER.source[lang]);
    return EXIT.unavailable;
  }
  if (c.code === 'TEMPLATE_INVALID' || c.code === 'GLYPH_MISSING') write(AFTER.template[lang]);
  // A render over budget is not the input's fault as such: exit as an internal error.
  if (c.code === 'RENDER_TIMEOUT' || c.code === 'RENDER_MEMORY') write(AFTER.budget[lang]);
  return c.fault === 'input' ? EXIT.input : EXIT.internal;
}
