import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadJobDefinition } from '../config/job-definition.ts';
import { loadTargets } from '../config/targets-file.ts';
import { formatIssue } from '../domain/issues.ts';
import { isoDateInZone } from '../domain/format.ts';
import { periodId, type Period } from '../domain/period.ts';
import { settingsFromEnv } from '../config/settings.ts';
import { createSnapshotStore } from '../archive/index.ts';
import { checkPeriodInYear } from '../pipeline/request-checks.ts';
import { jobDueDate, lastPeriodFigures, reportingUnits, returnsStatus, unknownUnits, writeTemplate, type ReturnState } from '../collection/index.ts';
import { guarded, out, periodOption, rel, reportOption } from './common.ts';

const STATE_LABELS: Record<ReturnState, string> = { returned: '已报送', incomplete: '已报送（有空项）', errors: '报送有误', missing: '未报送' };

export function registerFiguresCommands(program: Command): void {
  const figures = program.command('figures').description('collect the figures from the lead units (牵头单位): templates to fill, and who has returned them');

  figures
    .command('template')
    .description("write one XLSX template per lead unit (or for --unit only), listing that unit's indicators and tasks with the cells to fill")
    .addOption(reportOption())
    .addOption(periodOption().makeOptionMandatory())
    .option('-u, --unit <name>', 'only this lead unit, named as in the targets file')
    .option('-o, --out <dir>', 'where to write the templates', '.')
    .action((o: { report: string; period: Period; unit?: string; out: string }) =>
      guarded(async () => {
        const settings = settingsFromEnv();
        const job = await loadJobDefinition(settings.jobsDir, o.report);
        const report = await loadTargets(job.targetsFile, job.id);
        checkPeriodInYear(o.period, report, job.targetsFile);
        const units = reportingUnits(report);
        const chosen = o.unit ? units.filter((u) => u.unit === o.unit) : units;
        if (chosen.length === 0) throw new InvalidArgumentError(`"${o.unit}" is not a lead unit of ${report.id}; lead units: ${units.map((u) => u.unit).join('、')}`);
        const last = await lastPeriodFigures(createSnapshotStore(settings), job, report, o.period);
        const due = await jobDueDate(job, o.period);
        for (const items of chosen) {
          const file = await writeTemplate({ report, period: o.period, items, last, ...(due ? { due } : {}), generatedAt: settings.clock() }, path.resolve(o.out));
          out(`wrote ${rel(file)} (${items.indicators.length} indicators, ${items.tasks.length} tasks)`);
        }
        out(`last period's figures: ${last.period ? `${periodId(last.period)} from ${last.from}` : 'none (the first period of the year)'}${due ? `; due ${due}` : ''}`);
      }),
    );

  figures
    .command('status')
    .description('which lead units have returned their figures for the period, which have not, which returned with errors')
    .addOption(reportOption())
    .addOption(periodOption().makeOptionMandatory())
    .option('--json', 'print the status as JSON')
    .action((o: { report: string; period: Period; json?: boolean }) =>
      guarded(async () => {
        const settings = settingsFromEnv();
        const job = await loadJobDefinition(settings.jobsDir, o.report);
        const report = await loadTargets(job.targetsFile, job.id);
        checkPeriodInYear(o.period, report, job.targetsFile);
        const s = await returnsStatus(job, report, o.period, isoDateInZone(settings.clock(), job.schedule.timezone));
        if (o.json) {
          out(JSON.stringify(s, null, 2));
          return;
        }
        out(`jibao figures status ${s.report} ${s.period}${s.due ? `  (due ${s.due})` : ''}`);
        const width = Math.max(...s.units.map((u) => u.unit.length));
        for (const u of s.units) {
          const extra = u.state === 'incomplete' ? `  blank: ${u.blank.join(', ')}` : '';
          out(`  ${u.state.padEnd(10)} ${u.unit.padEnd(width, '　')}  ${STATE_LABELS[u.state]}${u.files.length ? `  ${u.files.join(', ')}` : ''}${extra}`);
          for (const i of u.issues) out(`      ${formatIssue(i)}`);
        }
        if (s.otherFiles.length) out(`  other sources: ${s.otherFiles.join(', ')}`);
        for (const u of unknownUnits(Object.keys(job.collection?.units ?? {}), report)) out(`  warning: collection.units names "${u}", which leads no indicator or task of ${report.id}; it gets no reminder`);
        for (const u of s.units) if (job.collection && !job.collection.units[u.unit]) out(`  warning: ${u.unit} has no address under collection.units; it gets no reminder`);
        for (const i of s.otherIssues) out(`      ${formatIssue(i)}`);
        const count = (st: ReturnState) => s.units.filter((u) => u.state === st).length;
        out(`  ${s.units.length} units: ${count('returned') + count('incomplete')} returned (${count('incomplete')} with blank rows), ${count('errors')} with errors, ${count('missing')} missing`);
      }),
    );
}
