/** Reads a DynamoDB export's manifests: finds the exports under a source and checks their files lists (decode.ts reads the data). */
import {
  checksumMatches,
  type ManifestFile,
  type ManifestSummary,
  manifestChecksum,
  manifestFileSchema,
  manifestSummarySchema,
  tableNameOf,
} from './export-layout';
import { type ExportSource, MissingObjectError } from './export-source';
import { ExportInputError } from './item-json';

export { ExportInputError, type PlainItem, parseItemLine } from './item-json';

export interface FoundExport {
  exportId: string;
  /** Key of the export folder relative to the source root, e.g. `AWSDynamoDB/<id>` or `daily/AWSDynamoDB/<id>`. */
  dirKey: string;
  summary: ManifestSummary;
  tableName: string;
  /** manifest-summary.json as read, for its checksum. */
  summaryBytes: Buffer;
  /** Keys of the `.checksum` files the listing shows next to the manifests. */
  checksumKeys: string[];
}

const summaryKeyPattern = /(?:^|\/)AWSDynamoDB\/([^/]+)\/manifest-summary\.json$/;

export async function findExports(source: ExportSource): Promise<FoundExport[]> {
  const found: FoundExport[] = [];
  const keys = await source.listKeys();
  const listed = new Set(keys);
  for (const key of keys) {
    const match = summaryKeyPattern.exec(key);
    if (!match) continue;
    const exportId = match[1] ?? '';
    const bytes = await readWhole(source, key);
    const text = bytes.toString('utf8');
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
      summaryBytes: bytes,
      checksumKeys: ['manifest-summary.checksum', 'manifest-files.checksum']
        .map((name) => `${key.slice(0, -'manifest-summary.json'.length)}${name}`)
        .filter((checksumKey) => listed.has(checksumKey)),
    });
  }
  return found;
}

/** The data files the export lists, checked against the summary's total before any data is read. */
export async function readManifestFiles(source: ExportSource, found: FoundExport): Promise<ManifestFile[]> {
  const key = `${found.dirKey}/manifest-files.json`;
  const name = source.nameOf(key);
  let bytes: Buffer;
  try {
    bytes = await readWhole(source, key);
  } catch (error) {
    if (error instanceof MissingObjectError)
      throw new ExportInputError(name, undefined, 'manifest-files.json is missing');
    throw error;
  }
  await verifyChecksum(source, found, `${found.dirKey}/manifest-summary.json`, found.summaryBytes);
  await verifyChecksum(source, found, key, bytes);
  const text = bytes.toString('utf8');
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
 * A manifest against its `.checksum` file when the export has one (AWS writes them; exports copied without them, or
 * written by older tools, still read). A mismatch is bad input naming the manifest.
 */
async function verifyChecksum(source: ExportSource, found: FoundExport, manifestKey: string, manifest: Buffer) {
  const checksumKey = manifestKey.replace(/\.json$/, '.checksum');
  if (!found.checksumKeys.includes(checksumKey)) return;
  const checksum = (await readWhole(source, checksumKey)).toString('utf8');
  if (!checksumMatches(checksum, manifest)) {
    throw new ExportInputError(
      source.nameOf(manifestKey),
      undefined,
      `its MD5 ${manifestChecksum(manifest)} does not match ${source.nameOf(checksumKey)} (${checksum.trim().slice(0, 64)})`,
    );
  }
}

async function readWhole(source: ExportSource, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await source.open(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0] ?? '';
}
