/** Where an export is read from: a local folder or an S3 prefix (endpoint from AWS_ENDPOINT_URL_S3 when set). */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';

export interface ExportSource {
  /** Human-readable root, for messages. */
  readonly description: string;
  /** Every key under the root, `/`-separated and relative to it. */
  listKeys(): Promise<string[]>;
  /** The object's bytes as a stream; rejects (or the stream errors) when it is missing. */
  open(key: string): Promise<Readable>;
  /** The name a person would use for the object in an error message. */
  nameOf(key: string): string;
}

export class MissingObjectError extends Error {
  override name = 'MissingObjectError';
}

export function openSource(spec: string): ExportSource {
  if (spec.startsWith('s3://')) return s3Source(spec);
  return directorySource(spec);
}

function directorySource(root: string): ExportSource {
  return {
    description: root,
    async listKeys() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'));
    },
    open(key) {
      const path = join(root, key);
      return new Promise((resolve, reject) => {
        const stream = createReadStream(path);
        stream.once('open', () => resolve(stream));
        stream.once('error', (error: NodeJS.ErrnoException) =>
          reject(error.code === 'ENOENT' ? new MissingObjectError(`${path} does not exist`) : error),
        );
      });
    },
    nameOf: (key) => join(root, key),
  };
}

function s3Source(spec: string): ExportSource {
  const [, , bucket = '', ...prefixParts] = spec.split('/');
  const prefix = prefixParts.join('/').replace(/\/+$/, '');
  const base = prefix ? `${prefix}/` : '';
  // Loaded on first use: the S3 client costs ~10 MB of memory that a reconcile of a local folder does not need.
  let client: Promise<{ s3: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | undefined;
  const connect = () => {
    client ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      // Emulators (MinIO, LocalStack, s3rver) serve buckets by path only; AWS itself takes both forms.
      s3: new sdk.S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined }),
    }));
    return client;
  };
  return {
    description: spec,
    async listKeys() {
      const keys: string[] = [];
      const { s3, sdk } = await connect();
      let token: string | undefined;
      do {
        const page = await s3.send(
          new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: base, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(base.length));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async open(key) {
      const { s3, sdk } = await connect();
      try {
        const object = await s3.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: `${base}${key}` }));
        return object.Body as Readable;
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey')
          throw new MissingObjectError(`s3://${bucket}/${base}${key} does not exist`);
        throw error;
      }
    },
    nameOf: (key) => `s3://${bucket}/${base}${key}`,
  };
}
