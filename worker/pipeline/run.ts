import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { createSnapshotStore, EVALUATION_NAME, FIGURES_NAME, inputName, MARKUP_NAME, MODEL_NAME, PDF_NAME, type SnapshotFile, type SnapshotRef, type SnapshotStore, type Trigger } from '../archive/index.ts';
import { sha256, sha256OfStaticFile } from '../archive/digest.ts';
import { periodId } from '../domain/period.ts';
import type { Evaluation } from '../domain/evaluate.ts';
import type { Figures } from '../domain/figures.ts';
import type { RenderedBriefing } from '../render/briefing.ts';
import type { PdfAttachment } from '../render/pdf.ts';
import { renderInProcess, type Renderer } from '../render/renderer.ts';
import { describeChanges, type SnapshotFacts } from '../domain/changes.ts';
import type { Recipients } from '../delivery/message.ts';
import { composeBriefingMail, composeReviewMail, deliverInline, deliveryTargets, type DeliveryRecord, type DeliveryTarget, type MailPurpose, type RecipientOutcome } from '../delivery/deliver.ts';
import type { JobDefinition } from '../config/job-definition.ts';
import { prepareBriefing, type BriefingRequest, type Prepared, type Stage } from './prepare.ts';
import { PACKAGE_VERSION, type Settings } from '../config/settings.ts';

export interface RunOptions extends BriefingRequest {
  readonly trigger: Trigger;
  /** false: archive only, send nothing. */
  readonly send?: boolean;
  /** Replaces the job's recipients for this run (not for a report under review: its draft goes to the reviewers). */
  readonly recipients?: Recipients;
}

export type RunResult =
  | {
      readonly kind: 'done';
      readonly snapshot: SnapshotRef;
      readonly prepared: Prepared;
      readonly delivery: DeliveryOutcome | null;
      readonly renderMs: number;
      /** An earlier attempt of the same queued job had archived this snapshot already. */
      readonly reused: boolean;
      /** Archived as a draft (the job requires review): mailed to the reviewers only. */
      readonly draft: boolean;
    }
  | { readonly kind: 'not-ready'; readonly reason: string };

export type DeliveryOutcome =
  | {
      readonly kind: 'inline';
      readonly sent: readonly DeliveryRecord[];
      /** Skipped: this content's acceptance was already logged. */
      readonly alreadySent: readonly DeliveryRecord[];
      readonly failed: readonly { readonly target: DeliveryTarget; readonly reason: string }[];
    }
  /** `jobs`: delivery jobs queued now; `recipients`: what became of each one. */
  | { readonly kind: 'queued'; readonly jobs: number; readonly recipients: readonly RecipientOutcome[] };

/**
 * How a snapshot reaches its recipients (or, `purpose: 'review'`, a draft its reviewers): sent
 * here and now, or one queued job per address.
 */
export type Deliver = (snapshot: SnapshotRef, job: JobDefinition, recipients: Recipients, note?: string, purpose?: MailPurpose) => Promise<DeliveryOutcome>;

export const deliverNow = (settings: Settings): Deliver => async (snapshot, job, recipients, note, purpose = 'briefing') => {
  const compose = purpose === 'review' ? composeReviewMail : composeBriefingMail;
  const mail = await compose(settings, snapshot, mailSettings(settings, job), recipients, note);
  return { kind: 'inline', ...(await deliverInline(settings, snapshot, mail, deliveryTargets(recipients), 3, 1000, { purpose })) };
};

/** A draft's reviewers, as the snapshot recorded them when it was made. */
export function reviewersOf(snapshot: SnapshotRef): Recipients {
  return { to: [...(snapshot.manifest.review?.reviewers ?? [])], cc: [], bcc: [] };
}

export function mailSettings(settings: Settings, job: JobDefinition) {
  return { from: job.mail.from, maxAttachmentBytes: job.mail.max_attachment_bytes, ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}) };
}

export interface RunHooks {
  readonly onStage?: (s: Stage) => void | Promise<void>;
  readonly render?: Renderer;
  readonly deliver?: Deliver;
  /** A queued job's lock: checked before each side effect (archive, deliveries). */
  readonly fence?: Fence;
  /** Where the snapshot goes; default the store the settings name. */
  readonly archive?: SnapshotStore;
}

/**
 * What keeps a worker that lost its job (frozen past its lock) from acting on it. The snapshot's
 * version is claimed once per job, so two attempts can only ever write the same version number,
 * and the archive's atomic rename lets one of them win.
 */
export interface Fence {
  /** Claims `proposed` for this job, or returns the version an earlier attempt claimed. Throws LockLostError. */
  claimVersion(proposed: number): Promise<number>;
  /** Moves this job's claim from `taken` to `next`. Throws LockLostError. */
  reclaimVersion(taken: number, next: number): Promise<number>;
  /** Throws LockLostError unless this attempt still holds the job. */
  check(step: 'archive' | 'deliver' | 'send'): Promise<void>;
}

/** This attempt no longer holds its queued job: another worker has it. Nothing more may be done. */
export class LockLostError extends Error {
  override name = 'LockLostError';
  readonly code = 'LOCK_LOST';
  constructor(readonly jobId: string, readonly step: string) {
    super(`job ${jobId}: lock lost before ${step}; another worker has the job, this attempt stopped without side effects`);
  }
}

/** The archive offered another version than the one this job claimed (build() refuses it). */
class VersionNotClaimed extends Error {
  constructor(readonly offered: number, readonly claimed: number) {
    super(`version ${offered} offered, ${claimed} claimed`);
  }
}

/**
 * The whole job for one report × period: figures → evaluation → PDF → archive → email.
 * `jibao run` calls it in process; the queue's workers call the same function.
 */
export async function runBriefing(opts: RunOptions, settings: Settings, hooks: RunHooks = {}): Promise<RunResult> {
  const onStage = (st: Stage) => void hooks.onStage?.(st);
  const ready = await prepareBriefing(opts, settings, onStage);
  if (ready.kind === 'not-ready') return { kind: 'not-ready', reason: ready.reason };
  const archive = hooks.archive ?? createSnapshotStore(settings);
  const period = periodId(ready.prepared.figures.period);
  // Serialised once: the same bytes go into the PDF, the snapshot and the comparison with the previous version.
  const data: DataFiles = { figures: json(figuresJson(ready.prepared.figures)), evaluation: json(evaluationJson(ready.prepared.evaluation)) };
  const p = await withChanges(ready.prepared, archive, period, data);

  // A retried job (its worker died after archiving) finds its snapshot instead of making a second one.
  const earlier = opts.trigger.jobId ? await archive.findByJob(p.report.id, period, opts.trigger.jobId) : undefined;
  let snapshot = earlier;
  let renderMs = 0;
  if (!snapshot) {
    const fence = hooks.fence;
    // Claimed before rendering: a second attempt of this job can only write this same version.
    let claimed = fence ? await fence.claimVersion(((await archive.latestVersion(p.report.id, period)) ?? 0) + 1) : undefined;
    onStage('rendering');
    const t0 = performance.now();
    const render = hooks.render ?? renderInProcess;
    const rendered = await render({
      templatesDir: settings.templatesDir,
      fontsDir: settings.fontsDir,
      template: p.job.template,
      model: p.model,
      creationDate: p.issuedAt,
      attachments: dataAttachments(data),
    });
    renderMs = performance.now() - t0;
    onStage('archiving');
    for (let attempt = 0; !snapshot; attempt++) {
      await fence?.check('archive');
      try {
        snapshot = await archiveSnapshot(archive, settings, p, rendered, data, opts.trigger, claimed);
      } catch (e) {
        if (!(e instanceof VersionNotClaimed) || !fence || attempt >= 5) throw e;
        // Our version exists: written by another attempt of this job (reuse it) or by another job.
        snapshot = await archive.findByJob(p.report.id, period, opts.trigger.jobId!);
        if (!snapshot) claimed = await fence.reclaimVersion(e.claimed, e.offered);
      }
    }
  }

  // The snapshot says whether it is a draft (a retried job reuses what the first attempt made).
  const draft = snapshot.manifest.review !== undefined;
  let delivery: DeliveryOutcome | null = null;
  if (opts.send !== false) {
    await hooks.fence?.check('deliver');
    onStage('delivering');
    const deliver = hooks.deliver ?? deliverNow(settings);
    // Each recipient's send is logged with the snapshot; a retried job skips those already sent.
    // A draft goes to its reviewers and nobody else, whatever recipients the run named.
    delivery = draft ? await deliver(snapshot, p.job, reviewersOf(snapshot), opts.note, 'review') : await deliver(snapshot, p.job, opts.recipients ?? p.job.recipients, opts.note);
  }
  return { kind: 'done', snapshot, prepared: p, delivery, renderMs, reused: earlier !== undefined, draft };
}

/** A rerun states what differs from the version it supersedes (更正说明), in the briefing and the email. */
async function withChanges(p: Prepared, archive: SnapshotStore, period: string, data: DataFiles): Promise<Prepared> {
  const previous = await archive.latestVersion(p.report.id, period);
  if (previous === undefined) return p;
  const snap = await archive.read(p.report.id, period, previous);
  const read = async (name: string) => JSON.parse((await archive.readFile(snap, name)).toString('utf8'));
  const before: SnapshotFacts = { figures: await read(FIGURES_NAME), evaluation: await read(EVALUATION_NAME) };
  const after: SnapshotFacts = { figures: JSON.parse(data.figures), evaluation: JSON.parse(data.evaluation) };
  return { ...p, model: { ...p.model, changes: describeChanges(p.report, before, after), changesFrom: previous } };
}

async function archiveSnapshot(archive: SnapshotStore, settings: Settings, p: Prepared, rendered: RenderedBriefing, data: DataFiles, trigger: Trigger, claimed?: number): Promise<SnapshotRef> {
  const inputs: SnapshotFile[] = [
    { path: inputName('job.yaml'), data: await readFile(p.job.file) },
    { path: inputName(path.basename(p.job.targetsFile)), data: await readFile(p.job.targetsFile) },
  ];
  for (const f of p.inputs) inputs.push({ path: inputName(`figures/${f.name}`), data: f.data ?? (await readFile(f.path!)) });
  const template = await Promise.all(rendered.templateFiles.map(async (f) => ({ path: path.relative(settings.templatesDir, f), sha256: sha256(await readFile(f)) })));
  const fontDigests = await Promise.all(
    rendered.fonts.map(async (f) => ({ role: f.role, file: path.basename(f.file), postscriptName: f.postscriptName, sha256: await sha256OfStaticFile(f.file) })),
  );
  return archive.write(p.report.id, periodId(p.figures.period), (version) => {
    // The archive offers the next free version on each try; only the claimed one may be written.
    if (claimed !== undefined && version !== claimed) throw new VersionNotClaimed(version, claimed);
    return {
      manifest: {
        createdAt: p.issuedAt.toISOString(),
        trigger,
        sampleData: p.report.sampleData,
        template,
        fonts: fontDigests,
        generator: { name: 'jibao', version: PACKAGE_VERSION },
        ...(p.job.review?.required
          ? { review: { reviewers: p.job.review.reviewers, ...(p.job.review.approve_within_hours ? { approveWithinHours: p.job.review.approve_within_hours } : {}) } }
          : {}),
      },
      files: [
        { path: PDF_NAME, data: rendered.pdf },
        { path: MARKUP_NAME, data: rendered.markup },
        { path: FIGURES_NAME, data: data.figures },
        { path: EVALUATION_NAME, data: data.evaluation },
        { path: MODEL_NAME, data: json(p.model) },
        ...inputs,
      ],
    };
  });
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

/** The period's figures and evaluation as the JSON text archived with a snapshot. */
interface DataFiles {
  readonly figures: string;
  readonly evaluation: string;
}

/** The inputs carried inside the archived PDF itself, so the file alone shows what it was made from. */
function dataAttachments(data: DataFiles): PdfAttachment[] {
  const bytes = (text: string) => new TextEncoder().encode(text);
  return [
    { name: 'figures.json', data: bytes(data.figures), type: 'application/json', description: '本期数据（输入）' },
    { name: 'evaluation.json', data: bytes(data.evaluation), type: 'application/json', description: '评价结果' },
  ];
}

function figuresJson(f: Figures) {
  return {
    report: f.reportId,
    period: periodId(f.period),
    asOf: f.asOf ?? null,
    sources: f.sources,
    indicators: Object.fromEntries(f.indicators),
    tasks: Object.fromEntries(f.tasks),
  };
}

function evaluationJson(e: Evaluation) {
  return {
    period: periodId(e.period),
    schedule: e.schedule,
    counts: e.counts,
    taskCounts: e.taskCounts,
    indicators: e.indicators.map((i) => ({
      id: i.indicator.id,
      kind: i.indicator.kind,
      status: i.status,
      completion: i.completion ?? null,
      schedule: i.schedule ?? null,
      gap: i.gap ?? null,
      explanation: i.explanation,
    })),
    tasks: e.tasks.map((t) => ({ id: t.task.id, status: t.status, taskStatus: t.taskStatus ?? null, milestone: t.milestone ?? null })),
  };
}
