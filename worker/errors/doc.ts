import { MESSAGES, type MessageEntry } from '../domain/messages.ts';

const FAULT: Record<MessageEntry['fault'], string> = { input: 'input (fix and rerun)', source: 'figure source', system: 'jibao / server' };

/** docs/errors.md, generated from the catalogue (a test keeps the file and the catalogue in step). */
export function errorsMarkdown(): string {
  const rows = Object.entries(MESSAGES).map(([code, e]: [string, MessageEntry]) => {
    const retried = (e.retryable ?? e.fault !== 'input') ? 'yes' : 'no';
    return `| \`${code}\` | ${FAULT[e.fault]} | ${retried} | ${e.status ?? '—'} | ${e.doc.replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Error codes',
    '',
    '<!-- Generated from worker/domain/messages.ts by test/errors/catalogue.test.ts (UPDATE_DOCS=1 npx vitest run test/errors/catalogue.test.ts); do not edit by hand. -->',
    '',
    'Every error jibao reports carries a stable code. Scripts and tests match the code, never the text.',
    '',
    '- **CLI**: each problem is one line ending in `[CODE]`; the exit status follows the code’s fault',
    '  (1 input, 4 figure source, 2 jibao/server). Messages are in Chinese when `JIBAO_LANG=zh` or the',
    '  locale is Chinese (`LANG=zh_CN.UTF-8`), in English otherwise (`JIBAO_LANG=en` forces English).',
    '- **API**: every error answers `{ "code", "message", "details" }`; `message` is Chinese; `details`',
    '  lists each problem of a refused file as `{ file, row, column, code, message }`.',
    '- **Queue**: a job that fails for good records `CODE: 中文说明` as its failure reason; the API’s',
    '  run status gives it as `errorCode` and `error`, and the operators’ alert carries it.',
    '- **Retried**: whether the queue retries a job that failed with this code.',
    '',
    'The texts of both languages are in one catalogue, `worker/domain/messages.ts`, one entry per code.',
    'Configuration errors found by a schema (job definitions, targets files, the working-day calendar)',
    'each have a code (`CONFIG_*`, `TARGETS_*`, `SCHEDULE_RULE`) and its values, so they read in Chinese;',
    'a rule of a schema without a code of its own (`CONFIG_RULE`) keeps its English detail after a Chinese lead.',
    '',
    '| Code | Who acts | Retried | HTTP | Meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
