/** Reads a DynamoDB export: finds and verifies its manifests, then streams its items (gunzip, line by line, md5 on the way). */
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import {
  type ManifestFile,
  type ManifestSummary,
  manifestFileSchema,
  manifestSummarySchema,
  tableNameOf,
} from './export-layout';
import { type ExportSource, MissingObjectError } from './export-source';

/** Input that cannot be an intact export: reconcile stops, names the file (and line), and reports nothing as OK. */
export class ExportInputError extends Error {
  override name = 'ExportInputError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`);
  }
}

export interface FoundExport {
  exportId: string;
  /** Key of the export folder relative to the source root, e.g. `AWSDynamoDB/<id>` or `daily/AWSDynamoDB/<id>`. */
  dirKey: string;
  summary: ManifestSummary;
  tableName: string;
}

/** An item's attributes in plain form: S as strings, N as numbers when exact (else strings), M/L nested, sets as arrays. */
export type PlainItem = Record<string, unknown>;

const summaryKeyPattern = /(?:^|\/)AWSDynamoDB\/([^/]+)\/manifest-summary\.json$/;

export async function findExports(source: ExportSource): Promise<FoundExport[]> {
  const found: FoundExport[] = [];
  for (const key of await source.listKeys()) {
    const match = summaryKeyPattern.exec(key);
    if (!match) continue;
    const exportId = match[1] ?? '';
    const text = await readWhole(source, key);
    let summary: ManifestSummary;
    try {
      summary = manifestSummarySchema.parse(JSON.parse(text));
    } catch (error) {
      throw new ExportInputError(source.nameOf(key), undefined, `not a manifest summary: ${firstLine(error)}`);
    }
    found.push({
      exportId,
      dirKey: key.slice(0, -'/manifest-summary.json'.length),
      summary,
      tableName: tableNameOf(summary.tableArn),
    });
  }
  return found;
}

/** The data files the export lists, checked against the summary's total before any data is read. */
export async function readManifestFiles(source: ExportSource, found: FoundExport): Promise<ManifestFile[]> {
  const key = `${found.dirKey}/manifest-files.json`;
  const name = source.nameOf(key);
  let text: string;
  try {
    text = await readWhole(source, key);
  } catch (error) {
    if (error instanceof MissingObjectError)
      throw new ExportInputError(name, undefined, 'manifest-files.json is missing');
    throw error;
  }
  const files: ManifestFile[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      files.push(manifestFileSchema.parse(JSON.parse(line)));
    } catch (error) {
      throw new ExportInputError(name, index + 1, `not a manifest-files line: ${firstLine(error)}`);
    }
    const dataKey = files[files.length - 1]?.dataFileS3Key ?? '';
    if (!dataKey.includes(`AWSDynamoDB/${found.exportId}/data/`)) {
      throw new ExportInputError(name, index + 1, `data file ${dataKey} is outside this export's data/ folder`);
    }
  });
  const listed = files.reduce((sum, f) => sum + f.itemCount, 0);
  if (listed !== found.summary.itemCount) {
    throw new ExportInputError(
      name,
      undefined,
      `files list ${listed} items in total, manifest-summary.json says ${found.summary.itemCount}`,
    );
  }
  return files;
}

/** Where the manifest's key points, relative to the source root (the export may have been copied under another prefix). */
export function dataFileKey(found: FoundExport, file: ManifestFile): string {
  const marker = `AWSDynamoDB/${found.exportId}/`;
  return `${found.dirKey}/${file.dataFileS3Key.slice(file.dataFileS3Key.indexOf(marker) + marker.length)}`;
}

/**
 * Streams every item of every data file to `onItem`, in bounded memory: the gzip is read in chunks, lines are cut as
 * they arrive, and the md5 is computed over the same bytes. Any defect is an ExportInputError naming file and line.
 */
export async function streamItems(
  source: ExportSource,
  found: FoundExport,
  files: readonly ManifestFile[],
  onItem: (item: PlainItem, file: number, line: number) => void,
  onChunk: (itemsSoFar: number) => void = () => undefined,
): Promise<number> {
  let total = 0;
  for (const [fileIndex, file] of files.entries()) {
    const key = dataFileKey(found, file);
    const name = source.nameOf(key);
    let raw: Awaited<ReturnType<ExportSource['open']>>;
    try {
      raw = await source.open(key);
    } catch (error) {
      if (error instanceof MissingObjectError) {
        throw new ExportInputError(
          source.nameOf(`${found.dirKey}/manifest-files.json`),
          fileIndex + 1,
          `data file ${name} is missing`,
        );
      }
      throw error;
    }
    const md5 = createHash('md5');
    // 64 KiB output chunks: a quarter of the loop turns of zlib's 16 KiB default.
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    raw.on('data', (chunk: Buffer) => md5.update(chunk));
    raw.once('error', (error) => gunzip.destroy(error));
    raw.pipe(gunzip);

    const decoder = new StringDecoder('utf8');
    let pending = '';
    let line = 0;
    const take = (text: string) => {
      line += 1;
      onItem(parseItemLine(text, name, line), fileIndex, line);
    };
    try {
      for await (const chunk of gunzip) {
        const text = pending + decoder.write(chunk as Buffer);
        let start = 0;
        let end = text.indexOf('\n', start);
        while (end !== -1) {
          take(text.slice(start, end));
          start = end + 1;
          end = text.indexOf('\n', start);
        }
        pending = text.slice(start);
        onChunk(total + line);
      }
    } catch (error) {
      if (error instanceof ExportInputError) throw error;
      throw new ExportInputError(name, line + 1, `unreadable gzip (truncated or corrupt): ${(error as Error).message}`);
    }
    pending += decoder.end();
    if (pending !== '') take(pending);
    const checksum = md5.digest('base64');
    if (checksum !== file.md5Checksum) {
      throw new ExportInputError(name, undefined, `md5 ${checksum} does not match the manifest's ${file.md5Checksum}`);
    }
    if (line !== file.itemCount) {
      throw new ExportInputError(name, undefined, `${line} items, the manifest lists ${file.itemCount}`);
    }
    total += line;
  }
  return total;
}

/** One `{"Item":{…}}` line, checked to be DynamoDB JSON and turned into plain values. */
export function parseItemLine(text: string, file: string, line: number): PlainItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ExportInputError(file, line, `not JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed) || !isObject(parsed.Item) || Object.keys(parsed).length !== 1) {
    throw new ExportInputError(file, line, 'not an export line: expected exactly {"Item":{…}}');
  }
  const item: PlainItem = {};
  const attributes = parsed.Item;
  for (const name in attributes) {
    const value = attributes[name];
    const plain = attributeValue(value);
    if (plain === invalid) {
      throw new ExportInputError(file, line, `attribute "${name}" is not a DynamoDB JSON value: ${short(value)}`);
    }
    item[name] = plain;
  }
  return item;
}

const invalid = Symbol('invalid');

function attributeValue(value: unknown): unknown {
  if (!isObject(value)) return invalid;
  // for…in instead of Object.keys: no array per attribute on the hot path.
  let type: string | undefined;
  for (const key in value) {
    if (type !== undefined) return invalid;
    type = key;
  }
  if (type === undefined) return invalid;
  const inner = value[type];
  switch (type) {
    case 'S':
    case 'B':
      return typeof inner === 'string' ? inner : invalid;
    case 'N': {
      if (typeof inner !== 'string' || !/^-?\d+(\.\d+)?(E[+-]?\d+)?$/i.test(inner)) return invalid;
      // A number that a JS number holds exactly becomes one; any other stays a string. Money is never N here.
      const number = Number(inner);
      return String(number) === inner ? number : inner;
    }
    case 'BOOL':
      return typeof inner === 'boolean' ? inner : invalid;
    case 'NULL':
      return inner === true ? null : invalid;
    case 'SS':
    case 'NS':
    case 'BS':
      return Array.isArray(inner) && inner.every((s) => typeof s === 'string') ? inner : invalid;
    case 'L': {
      if (!Array.isArray(inner)) return invalid;
      const list = inner.map(attributeValue);
      return list.includes(invalid) ? invalid : list;
    }
    case 'M': {
      if (!isObject(inner)) return invalid;
      const map: Record<string, unknown> = {};
      for (const k in inner) {
        const plain = attributeValue(inner[k]);
        if (plain === invalid) return invalid;
        map[k] = plain;
      }
      return map;
    }
    default:
      return invalid;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readWhole(source: ExportSource, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await source.open(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0] ?? '';
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
