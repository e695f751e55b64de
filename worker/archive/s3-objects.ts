import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, GetObjectLockConfigurationCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CodedError } from '../errors/index.ts';

/** Object Lock retention for one object: the storage refuses to overwrite or delete it until `until`. */
export interface ObjectRetention {
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  readonly until: Date;
}

export interface ListedObject {
  /** Relative to the archive's prefix. */
  readonly name: string;
  readonly lastModified?: Date;
}

/**
 * The archive's objects in one bucket under one prefix, named relative to the prefix. The few
 * operations the S3 store needs, with S3's answers turned into ours: a missing object is
 * `undefined`, a conditional create that finds the object is `false`, a store that cannot be
 * reached is ARCHIVE_UNAVAILABLE (retried; the message carries no credentials).
 */
/** Object Lock can only be turned on when a bucket is made: asked once per client and bucket. */
const lockAnswers = new WeakMap<S3Client, Map<string, Promise<boolean>>>();

export class S3Objects {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    readonly prefix: string,
    /** Keys per listing page; default the store's (1000 on S3). */
    private readonly pageSize?: number,
  ) {}

  key(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  async get(name: string): Promise<Buffer | undefined> {
    const body = await this.open(name);
    if (!body) return undefined;
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks);
  }

  /** Several objects, a few at a time, each handed to `fn` as it arrives (undefined: gone meanwhile). */
  async forEach(names: readonly string[], fn: (name: string, data: Buffer | undefined, index: number) => Promise<void> | void, parallel = 16): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const i = next++;
        await fn(names[i]!, await this.get(names[i]!), i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, names.length) }, worker));
  }

  /** Several objects, in the order named. */
  async getAll(names: readonly string[]): Promise<(Buffer | undefined)[]> {
    const out: (Buffer | undefined)[] = new Array(names.length);
    await this.forEach(names, (_n, data, i) => void (out[i] = data));
    return out;
  }

  /** The object as a stream, or undefined when there is none. */
  async open(name: string): Promise<Readable | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      return res.Body as Readable;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw unavailable(e, 'get');
    }
  }

  /**
   * Creates the object only if there is none (`If-None-Match: *`): false when the store answers
   * that it exists (412). A store that does not enforce the condition overwrites instead; the
   * S3 store's Redis claims and lock keep that from happening between jibao's own writers.
   */
  async create(name: string, body: Uint8Array | string, retention?: ObjectRetention): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(name),
          Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
          IfNoneMatch: '*',
          ...(retention ? { ObjectLockMode: retention.mode, ObjectLockRetainUntilDate: retention.until } : {}),
        }),
      );
      return true;
    } catch (e) {
      if (status(e) === 412 || (e as { name?: string }).name === 'PreconditionFailed') return false;
      // 409 ConditionalRequestConflict: a concurrent conditional write to the same key is in flight; it exists.
      if (status(e) === 409) return false;
      throw unavailable(e, 'put');
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
    } catch (e) {
      if (!isMissing(e)) throw unavailable(e, 'delete');
    }
  }

  /** Every page of a listing under `under` (with `/` as delimiter: one level only). */
  private async *pages(under: string, delimiter?: '/', startAfter?: string) {
    let token: string | undefined;
    do {
      let res;
      try {
        res = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key(under), ...(this.pageSize ? { MaxKeys: this.pageSize } : {}), ...(delimiter ? { Delimiter: delimiter } : {}), ...(startAfter && !token ? { StartAfter: this.key(startAfter) } : {}), ...(token ? { ContinuationToken: token } : {}) }),
        );
      } catch (e) {
        throw unavailable(e, 'list');
      }
      yield res;
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }

  /** Every object whose name starts with `under` (and sorts after `startAfter`), in key order (all pages). */
  async list(under: string, startAfter?: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    for await (const res of this.pages(under, undefined, startAfter)) {
      for (const o of res.Contents ?? []) if (o.Key) out.push({ name: o.Key.slice(strip), ...(o.LastModified ? { lastModified: o.LastModified } : {}) });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The names of the "folders" right below `under` (S3's common prefixes for the delimiter `/`), without the trailing `/`. */
  async folders(under: string): Promise<string[]> {
    const out: string[] = [];
    const strip = this.key(under).length;
    for await (const res of this.pages(under, '/')) {
      for (const p of res.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix.slice(strip).replace(/\/$/, ''));
    }
    return out.sort();
  }

  /** Whether the bucket has Object Lock on (asked once per process). A store that does not know Object Lock has it off. */
  objectLock(): Promise<boolean> {
    const known = lockAnswers.get(this.client)?.get(this.bucket);
    if (known) return known;
    const answer = this.client
      .send(new GetObjectLockConfigurationCommand({ Bucket: this.bucket }))
      .then((r) => r.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled')
      .catch((e) => {
        const s = status(e);
        // Not configured (404), not supported (405/501, e.g. s3rver), or not allowed to ask (403): off.
        if (s === 404 || s === 405 || s === 501 || s === 403 || s === 400) return false;
        lockAnswers.get(this.client)?.delete(this.bucket); // unreachable: ask again next time
        throw unavailable(e, 'object-lock');
      });
    if (!lockAnswers.has(this.client)) lockAnswers.set(this.client, new Map());
    lockAnswers.get(this.client)!.set(this.bucket, answer);
    return answer;
  }
}

function status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isMissing(e: unknown): boolean {
  const name = (e as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || status(e) === 404;
}

/** The SDK's error as ours: its name and HTTP status only (never the request, which may be signed). */
function unavailable(e: unknown, op: string): CodedError {
  const name = (e as { name?: string })?.name ?? 'Error';
  const s = status(e);
  return new CodedError('ARCHIVE_UNAVAILABLE', { reason: `${op}: ${name}${s ? ` ${s}` : ''}` });
}
