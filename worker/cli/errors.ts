import { CommanderError } from 'commander';
import { InputError, formatIssue } from '../domain/issues.ts';
import { PeriodError } from '../domain/period.ts';
import { MissingGlyphError } from '../render/glyphs.ts';
import { TemplateError } from '../render/template.ts';
import { RenderBudgetError } from '../render/renderer.ts';
import { SourceUnavailableError } from '../sources/source.ts';
import { TokenConfigError } from '../api/auth.ts';
import { redactText } from '../redact.ts';

/** Exit statuses: 0 done, 1 bad input (fix and rerun), 2 internal error, 3 figures not ready yet, 4 figure source unreachable, 5 archived but not delivered. */
export const EXIT = { ok: 0, input: 1, internal: 2, notReady: 3, unavailable: 4, delivery: 5 } as const;

/** Prints an error the way staff need it — what, where, how to fix — and returns the exit status. Never a stack trace unless JIBAO_DEBUG is set. */
export function reportError(e: unknown, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): number {
  if (e instanceof InputError) {
    for (const i of e.issues) write(formatIssue(i));
    write(`${e.issues.length} problem(s) found; nothing was rendered or archived.`);
    return EXIT.input;
  }
  if (e instanceof TemplateError || e instanceof MissingGlyphError) {
    write(`error: ${e.message}`);
    write('nothing was archived.');
    return EXIT.input;
  }
  if (e instanceof RenderBudgetError) {
    // The code first: scripts and operators match on it. Not input's fault as such: exit as an internal error.
    write(`error: ${e.message}`);
    write('nothing was archived or sent; check the figures for absurd values, or raise the budget.');
    return EXIT.internal;
  }
  if (e instanceof SourceUnavailableError) {
    write(`error: ${e.message}`);
    write('nothing was rendered or archived; try again later.');
    return EXIT.unavailable;
  }
  if (e instanceof PeriodError || e instanceof CommanderError || e instanceof TokenConfigError) {
    write(`error: ${e.message}`);
    return EXIT.input;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  write(`internal error: ${redactText(err.message)}`);
  if (process.env['JIBAO_DEBUG']) write(err.stack ?? '');
  else write('(set JIBAO_DEBUG=1 to see the stack trace; nothing was archived unless reported above)');
  return EXIT.internal;
}
