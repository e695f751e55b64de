/**
 * The first English wording in a Chinese message, if any: two or more ASCII letters in a row,
 * once error codes ([FIGURE_NOT_A_NUMBER], PERIOD_INVALID), file paths, quoted cell text and
 * the given field names are taken out. Period ids (2023Q3), units (ms, MB) and product names (Excel, WPS) pass.
 */
export function englishSentence(text: string, allowed: readonly string[] = []): string | undefined {
  let t = text
    .replace(/\[[A-Z][A-Z0-9_]+\]/g, '')
    .replace(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, '')
    .replace(/“[^”]*”|"[^"]*"/g, '')
    .replace(/[\w./@-]*\.(?:csv|xlsx|yaml|yml|json|pdf)\b/g, '')
    .replace(/(?:\/[\w.@-]+)+/g, '')
    // Units, and names of products and formats that Chinese text uses as they are.
    .replace(/\b(?:ms|MB|GB|HTTP|Excel|WPS|CSV|XLSX)\b/g, '');
  for (const a of allowed) t = t.split(a).join('');
  return /[A-Za-z]{2,}/.exec(t)?.[0];
}
