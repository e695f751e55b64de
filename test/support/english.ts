/**
 * The first English wording in a Chinese message, if any: two or more ASCII letters in a row,
 * once error codes ([FIGURE_NOT_A_NUMBER], PERIOD_INVALID), file paths, quoted cell text and
 * the given field names are taken out. Period ids (2023Q3) and units (ms, MB) pass.
 */
export function englishSentence(text: string, allowed: readonly string[] = []): string | undefined {
  let t = text
    .replace(/\[[A-Z][A-Z0-9_]+\]/g, '')
    .replace(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, '')
    .replace(/“[^”]*”|"[^"]*"/g, '')
    .replace(/[\w./@-]*\.(?:csv|xlsx|yaml|yml|json|pdf)\b/g, '')
    .replace(/(?:\/[\w.@-]+)+/g, '')
    .replace(/\b(?:ms|MB|HTTP)\b/g, '');
  for (const a of allowed) t = t.split(a).join('');
  return /[A-Za-z]{2,}/.exec(t)?.[0];
}
