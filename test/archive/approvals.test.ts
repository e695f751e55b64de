import path from 'node:path';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FolderStore } from '../../worker/archive/folder-store.ts';
import type { ApprovalRecord, SnapshotRef } from '../../worker/archive/snapshot.ts';
import { testManifest } from '../support/archive.ts';
import type { VerifyReport } from '../../worker/archive/verify-codes.ts';
import { tempDir } from '../support/cli.ts';

const R = 'yuquan-2023';

function draft(a: FolderStore, period: string): Promise<SnapshotRef> {
  return a.write(R, period, () => ({
    manifest: testManifest({ review: { reviewers: ['reviewer@example.org'] } }),
    files: [{ path: 'briefing.pdf', data: `%PDF ${period} ${Math.random()}` }],
  }));
}

const rec = (decision: ApprovalRecord['decision'], by = '张主任'): ApprovalRecord => ({ decision, by, role: 'approver', at: '2023-10-21T00:00:00.000Z', contentDigest: 'a'.repeat(64) });
const problems = (r: VerifyReport) => r.findings.filter((f) => f.severity === 'problem').map((f) => `${f.code} ${f.where.period}/v${f.where.version}`);

describe('approval records through the archive ledger', () => {
  it('are appended beside the snapshot, read back in order, and leave the checksummed files and verify untouched', async () => {
    const root = await tempDir('approvals');
    const a = new FolderStore(root, { signer: null });
    const v1 = await draft(a, '2023Q3');
    const manifestBefore = await readFile(path.join(root, R, '2023Q3/v1/manifest.json'));
    await a.recordApproval(v1, rec('approved'));
    await a.recordApproval(v1, { ...rec('approved', '王副主任'), comment: '同意' });
    expect((await a.readApprovals(v1)).map((r) => r.by)).toEqual(['张主任', '王副主任']);
    expect(await readFile(path.join(root, R, '2023Q3/v1/manifest.json'))).toEqual(manifestBefore);
    expect((await a.verify()).ok).toBe(true);
    // The ledger names each line; a new version is still numbered after the approvals.
    const ledger = (await readFile(path.join(root, R, 'ledger.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).kind);
    expect(ledger).toEqual(['snapshot', 'approval', 'approval']);
    expect((await draft(a, '2023Q3')).version).toBe(2);
  });

  it('a guard sees the records and the newest version under the lock, and refuses by throwing (nothing appended)', async () => {
    const a = new FolderStore(await tempDir('approvals'), { signer: null });
    const v1 = await draft(a, '2023Q3');
    await draft(a, '2023Q3');
    const seen: [number, number | undefined][] = [];
    await expect(a.recordApproval(v1, rec('approved'), (existing, latest) => {
      seen.push([existing.length, latest]);
      throw new Error('superseded');
    })).rejects.toThrow('superseded');
    expect(seen).toEqual([[0, 2]]);
    expect(await a.readApprovals(v1)).toEqual([]);
    expect((await a.verify()).ok).toBe(true);
  });

  it('APPROVAL_FORGED for a line written by hand or edited, APPROVAL_DELETED for a removed one', async () => {
    const root = await tempDir('approvals');
    const a = new FolderStore(root, { signer: null });
    const q2 = await draft(a, '2023Q2');
    const q3 = await draft(a, '2023Q3');
    await a.recordApproval(q2, rec('rejected'));
    await a.recordApproval(q3, rec('approved'));
    const log = (p: string) => path.join(root, R, p, 'v1.approvals.jsonl');
    // Q2: the rejection turned into an approval; Q3: its approval removed.
    await writeFile(log('2023Q2'), (await readFile(log('2023Q2'), 'utf8')).replace('"rejected"', '"approved"'));
    await rm(log('2023Q3'));
    expect(problems(await a.verify()).sort()).toEqual(['APPROVAL_DELETED 2023Q3/v1', 'APPROVAL_FORGED 2023Q2/v1']);
    // An approval of a version that never had one, appended by hand.
    await writeFile(log('2023Q3'), JSON.stringify(rec('approved')) + '\n' + JSON.stringify(rec('approved', '伪造')) + '\n');
    expect(problems(await a.verify()).filter((p) => p.includes('2023Q3'))).toEqual(['APPROVAL_FORGED 2023Q3/v1']);
  });
});
