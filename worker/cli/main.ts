import path from 'node:path';
import os from 'node:os';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parsePeriod, PeriodError, type Period } from '../domain/period.ts';
import { STATUS_LABELS, STATUSES, type StatusCounts } from '../domain/evaluate.ts';
import { PACKAGE_VERSION, settingsFromEnv, type Settings } from '../config/settings.ts';
import type { Renderer } from '../render/renderer.ts';
import { EXIT, reportError } from './errors.ts';
import { countsLine, figuresOption, guarded, out, periodOption, rel, reportOption, toOption, warningLine } from './common.ts';
import { checkLine } from './check-lines.ts';
import { InputError } from '../domain/issues.ts';

/** The commands defined in this file: given first on the command line, nothing else need load. */
const EMBEDDED_COMMANDS = new Set(['run', 'render', 'check']);

const program = new Command('jibao')
  .description('季报: quarterly PDF briefings on a government work report\'s targets.\nExit status: 0 done, 1 bad input, 2 internal error, 3 figures not ready, 4 figure source unreachable, 5 archived but an email was not delivered.')
  .version(PACKAGE_VERSION)
  .showHelpAfterError('(run with --help for usage)');

program
  .command('run')
  .description('run the whole job in this process: figures → evaluation → PDF → archive snapshot → email (SMTP_URL, or .eml files in the outbox)')
  .addOption(reportOption())
  .addOption(periodOption().makeOptionMandatory())
  .addOption(figuresOption())
  .option('-n, --note <text>', 'a note shown on the briefing and in the email, e.g. 更正说明')
  .option('--no-send', 'archive only; send no email')
  .addOption(toOption())
  .action((o: { report: string; period: Period; figures?: string; note?: string; send: boolean; to?: string[] }) =>
    guarded(async () => {
      const settings = settingsFromEnv();
      const started = performance.now();
      await using thread = await renderThread(settings);
      const [{ runBriefing }, { createSnapshotStore, PDF_NAME, snapshotName }] = await Promise.all([import('../pipeline/run.ts'), import('../archive/index.ts')]);
      const result = await runBriefing(
        {
          reportId: o.report,
          period: o.period,
          ...(o.figures ? { figuresFile: o.figures } : {}),
          ...(o.note ? { note: o.note } : {}),
          ...(o.to ? { recipients: { to: o.to, cc: [], bcc: [] } } : {}),
          send: o.send,
          trigger: { kind: 'cli', by: process.env['JIBAO_USER'] || os.userInfo().username, ...(o.note ? { note: o.note } : {}) },
        },
        settings,
        { render: thread.render },
      );
      if (result.kind === 'not-ready') {
        process.stderr.write(`not ready: ${result.reason}\n`);
        return EXIT.notReady;
      }
      const { snapshot, prepared: p, delivery } = result;
      const f = p.figures;
      out(`jibao run ${o.report} ${snapshot.period}`);
      out(`  figures   ${f.indicators.size} indicators, ${f.tasks.size} tasks${f.asOf ? `, as of ${f.asOf}` : ''} from ${f.sources.join(', ')}`);
      out(`  status    ${countsLine(p.evaluation)}`);
      if (p.report.sampleData) out('  note      示例数据: the targets and figures of this report are illustrative');
      const pdf = snapshot.manifest.files.find((x) => x.path === PDF_NAME)!;
      const where = createSnapshotStore(settings).location;
      out(`  snapshot  ${snapshotName(snapshot)} in ${path.isAbsolute(where) ? rel(where) : where} (version ${snapshot.version}${snapshot.manifest.supersedes ? `, supersedes v${snapshot.manifest.supersedes}` : ''})`);
      out(`  pdf       ${pdf.path} (${Math.round(pdf.bytes / 1024)} KB, rendered in ${Math.round(result.renderMs)} ms)`);
      if (result.draft) out(`  review    draft: mailed to the reviewers only; approve with \`jibao approve ${snapshot.report}/${snapshot.period}/v${snapshot.version}\``);
      if (!delivery) out('  email     not sent (--no-send)');
      else if (delivery.kind === 'inline') {
        for (const r of delivery.sent) out(`  email     ${r.address} (${r.kind}) ${r.file ? `→ ${rel(r.file)}` : `sent, ${r.messageId}`}`);
        for (const f of delivery.failed) process.stderr.write(`error: email to ${f.target.address} failed: ${f.reason}\n`);
      }
      out(`  done in ${Math.round(performance.now() - started)} ms`);
      if (delivery?.kind === 'inline' && delivery.failed.length > 0) {
        process.stderr.write(`the snapshot is archived; ${delivery.failed.length} email(s) were not delivered (recorded in the delivery log of ${snapshotName(snapshot)}: jibao archive show ${snapshotName(snapshot)})\n`);
        return EXIT.delivery;
      }
    }),
  );

/**
 * The embedded commands render in a thread of their own, within the same budget as the queued
 * worker's; it starts before the figures are read, and before the modules that read them load,
 * so its start-up overlaps theirs. (Each command imports what it uses when it runs.)
 */
async function renderThread(settings: Settings): Promise<{ render: Renderer; [Symbol.asyncDispose](): Promise<void> }> {
  const { startRenderThread } = await import('../render/render-pool.ts'); // piscina loads only for the commands that render
  const t = startRenderThread({ timeoutMs: settings.renderTimeoutMs, maxMb: settings.renderMaxMb }, settings.fontsDir);
  return { render: t.render, [Symbol.asyncDispose]: () => t.close() };
}

program
  .command('render')
  .description('render the briefing PDF to a file; nothing is archived or sent')
  .addOption(reportOption())
  .addOption(periodOption().makeOptionMandatory())
  .addOption(figuresOption())
  .requiredOption('-o, --out <file.pdf>', 'where to write the PDF')
  .option('--html <file.html>', 'also write the briefing markup as a standalone HTML page, to preview a template in a browser')
  .option('-n, --note <text>', 'a note shown on the briefing')
  .action((o: { report: string; period: Period; figures?: string; out: string; html?: string; note?: string }) =>
    guarded(async () => {
      const settings = settingsFromEnv();
      await using thread = await renderThread(settings);
      const { prepareBriefing } = await import('../pipeline/prepare.ts');
      const ready = await prepareBriefing({ reportId: o.report, period: o.period, ...(o.figures ? { figuresFile: o.figures } : {}), ...(o.note ? { note: o.note } : {}) }, settings);
      if (ready.kind === 'not-ready') {
        process.stderr.write(`not ready: ${ready.reason}\n`);
        return EXIT.notReady;
      }
      const p = ready.prepared;
      const r = await thread.render({ templatesDir: settings.templatesDir, fontsDir: settings.fontsDir, template: p.job.template, model: p.model, creationDate: p.issuedAt });
      await writeAtomically(o.out, r.pdf);
      out(`wrote ${o.out} (${Math.round(r.pdf.length / 1024)} KB)`);
      if (o.html) {
        const [{ markupPage }, { loadFonts }] = await Promise.all([import('../render/briefing.ts'), import('../render/fonts.ts')]);
        await writeAtomically(o.html, markupPage(p.model, r.markup, await loadFonts(settings.fontsDir)));
        out(`wrote ${o.html}`);
      }
    }),
  );

program
  .command('check')
  .description("validate a report's job definition, targets and templates, and with --period its figures (plausibility checked, template rendered, glyphs checked); nothing is written")
  .addOption(reportOption())
  .addOption(periodOption())
  .addOption(figuresOption())
  .action((o: { report: string; period?: Period; figures?: string }) =>
    guarded(async () => {
      const settings = settingsFromEnv();
      const [{ loadJobDefinition }, { loadTargets }, { compileTemplate }, { prepareBriefing }] = await Promise.all([
        import('../config/job-definition.ts'),
        import('../config/targets-file.ts'),
        import('../render/template.ts'),
        import('../pipeline/prepare.ts'),
      ]);
      const job = await loadJobDefinition(settings.jobsDir, o.report);
      out(checkLine('job', rel(job.file)));
      const report = await loadTargets(job.targetsFile, job.id);
      out(checkLine('targets', rel(job.targetsFile), { indicators: report.indicators.length, tasks: report.tasks.length, sections: report.sections.length }));
      await compileTemplate(settings.templatesDir, job.template);
      await compileTemplate(settings.templatesDir, 'email-text');
      // A report under review mails its drafts with the reviewers' templates.
      if (job.review?.required) await Promise.all(['email-review-text', 'email-review-html'].map((t) => compileTemplate(settings.templatesDir, t)));
      out(checkLine('templates', `${job.template}, email-text${job.review?.required ? ', email-review-text, email-review-html' : ''}`));
      if (!o.period) {
        if (o.figures) throw new InvalidArgumentError('--figures needs --period');
        out(checkLine('periodHint'));
        return;
      }
      const ready = await prepareBriefing({ reportId: o.report, period: o.period, ...(o.figures ? { figuresFile: o.figures } : {}) }, settings);
      if (ready.kind === 'not-ready') {
        process.stderr.write(`${checkLine('notReady', ready.reason)}\n`);
        return EXIT.notReady;
      }
      const p = ready.prepared;
      out(checkLine('figures', p.figures.sources.join(', '), { indicators: p.figures.indicators.size, tasks: p.figures.tasks.size }));
      for (const w of p.warnings) out(warningLine(w));
      // Statistics tables carry far more rows than the report has targets: listed once each, with the nearest names, so a missing alias shows.
      const ignored = [...new Map(p.ignored.map((r) => [r.name, r])).values()];
      if (ignored.length > 0) out(checkLine('ignored', ignored.length));
      for (const r of ignored) out(checkLine('ignoredRow', r.file, r.row, r.name, r.closest));
      const [{ loadFonts }, { checkBriefing }] = await Promise.all([import('../render/fonts.ts'), import('../render/briefing.ts')]);
      const fonts = await loadFonts(settings.fontsDir);
      await checkBriefing({ templatesDir: settings.templatesDir, template: job.template, model: p.model, fonts, creationDate: p.issuedAt });
      out(checkLine('briefing'));
      out(checkLine('status', countsLine(p.evaluation)));
    }),
  );

const targets = program.command('targets').description('work with targets files');

targets
  .command('extract')
  .description("draft a targets file from a work report's text (simplified or traditional script) for staff to review; flags numbers that look wrong")
  .argument('<file>', 'the work report as a UTF-8 (or GB18030) text file')
  .option('--json', 'print { sections, indicators, findings } as JSON instead of a YAML draft')
  .option('--id <id>', 'report id for the draft, e.g. yuquan-2023')
  .option('--year <year>', 'the year the targets are for (default: the first year in the title, else this year)')
  .action((file: string, o: { json?: boolean; id?: string; year?: string }) =>
    guarded(async () => {
      const { readFile } = await import('node:fs/promises');
      const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
        throw new InputError([{ severity: 'error', file, message: e.code === 'ENOENT' ? 'no such file' : `cannot read the file (${e.code ?? e.message})` }]);
      });
      const [{ extractTargets, draftToYaml }, { decodeText }] = await Promise.all([import('../extract/extract-targets.ts'), import('../sources/table-file.ts')]);
      const draft = extractTargets(decodeText(bytes).text);
      if (o.json) {
        out(
          JSON.stringify(
            {
              sections: draft.sections,
              indicators: draft.indicators.map(({ name, value, unit, kind, qualifier, raw }) => ({ name, value, unit, kind, qualifier, raw })),
              findings: draft.findings.map(({ raw, rule, candidates }) => ({ raw, rule, candidates })),
            },
            null,
            2,
          ),
        );
      } else {
        const year = Number(o.year ?? /(\d{4})年/.exec(draft.title ?? '')?.[1] ?? new Date().getFullYear());
        if (!Number.isInteger(year) || year < 1900 || year > 2999) throw new InvalidArgumentError(`--year must be a four-digit year, got ${o.year}`);
        process.stdout.write(draftToYaml(draft, { reportId: o.id ?? `report-${year}`, year }));
      }
      for (const f of draft.findings) process.stderr.write(`finding: ${f.message}\n`);
    }),
  );

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file); // no half-written PDF at `file`, and the old one stays until the new one is whole
}

// The other command groups (and the modules their commands use) load only when one of theirs may
// be meant: `jibao run`, `render` and `check` start without them, and the render thread sooner.
if (!EMBEDDED_COMMANDS.has(process.argv[2] ?? '')) {
  const groups = await Promise.all([import('./queue-commands.ts'), import('./archive-commands.ts'), import('./figures-commands.ts'), import('./review-commands.ts')]);
  groups[0].registerQueueCommands(program);
  groups[1].registerArchiveCommands(program);
  groups[2].registerFiguresCommands(program);
  groups[3].registerReviewCommands(program);
}

program.exitOverride((err) => {
  // commander's own usage errors: print nothing more, exit 1 (bad input); help and version exit 0.
  process.exit(err.exitCode === 0 ? 0 : EXIT.input);
});

await program.parseAsync(process.argv).catch((e: unknown) => {
  process.exitCode = reportError(e);
});
