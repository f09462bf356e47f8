/** Decodes one gzip data file of an export into record batches: md5 over the bytes, gunzip, lines cut in place, fast scan. */
import { createHash } from 'node:crypto';
import { createGunzip, constants as zlibConstants } from 'node:zlib';
import { ExportInputError, parseItemLine } from './item-json';
import { BatchWriter, type RecordBatch, RecordKind, scanLedgerLine, scanOrdersLine } from './item-scan';

export type ExportTable = 'ledger' | 'orders';

export interface DecodedFile {
  lines: number;
  /** base64 MD5 of the compressed bytes, as manifest-files.json gives it. */
  md5: string;
}

/** Decoded items are handed over in batches of about this many lines (one message each when on a worker). */
const BATCH_LINES = 2048;

/**
 * How the gzip is inflated. `binding`: synchronously on the decoding thread, through zlib's own binding (the handle
 * node:zlib's sync functions drive, and minizlib too), into one reused output buffer. `stream`: a createGunzip stream,
 * which inflates on libuv's thread pool into a fresh buffer per output chunk. Measured on the benchmark's 919 MB of
 * JSON, gunzip alone: 0.82 s of CPU against 1.33–1.41 s for the stream (and 1.06–1.18 s for minizlib, which reuses no
 * buffer); the binding is used whenever this Node has it, the stream otherwise.
 */
export type InflateMode = 'binding' | 'stream';

/** Output of one inflate step: `out[0 … length)`, valid only until the callback returns. */
type OnOutput = (out: Buffer, length: number) => void;

interface Inflater {
  /** Inflates the chunk, handing on every filled part of the output; throws the zlib error (truncated, corrupt). */
  write(chunk: Uint8Array): Promise<void>;
  end(): Promise<void>;
  destroy(): void;
}

const OUTPUT_BYTES = 512 * 1024;
const NO_INPUT = new Uint8Array(0);

/** The parts of node:zlib's internals the binding inflater uses (lib/zlib.js, processChunkSync). */
interface ZlibInternals {
  _handle?: {
    writeSync?: (
      flush: number,
      input: Uint8Array,
      inOffset: number,
      inLength: number,
      out: Uint8Array,
      outOffset: number,
      outLength: number,
    ) => void;
  };
  /** [output bytes left, input bytes left] after each write. */
  _writeState?: unknown;
}

function bindingInflater(onOutput: OnOutput): Inflater | undefined {
  const gunzip = createGunzip();
  const { _handle: handle, _writeState: state } = gunzip as unknown as ZlibInternals;
  const writeSync = handle?.writeSync;
  if (typeof writeSync !== 'function' || !(state instanceof Uint32Array) || state.length < 2) {
    gunzip.close();
    return undefined;
  }
  // zlib reports an error by destroying the stream (errored is set at once); the event itself is not needed.
  gunzip.on('error', () => undefined);
  const out = Buffer.allocUnsafe(OUTPUT_BYTES);
  const run = (input: Uint8Array, flush: number) => {
    let offset = 0;
    let available = input.byteLength;
    for (;;) {
      writeSync.call(handle, flush, input, offset, available, out, 0, OUTPUT_BYTES);
      if (gunzip.errored) throw gunzip.errored;
      const outLeft = state[0] as number;
      const inLeft = state[1] as number;
      if (outLeft < OUTPUT_BYTES) onOutput(out, OUTPUT_BYTES - outLeft);
      // The output filled up: there may be more of this input (or of zlib's window) to come.
      if (outLeft !== 0) return;
      offset += available - inLeft;
      available = inLeft;
    }
  };
  return {
    write: async (chunk) => run(chunk, zlibConstants.Z_NO_FLUSH),
    end: async () => {
      run(NO_INPUT, zlibConstants.Z_FINISH);
      gunzip.close();
    },
    destroy: () => gunzip.close(),
  };
}

function streamInflater(onOutput: OnOutput): Inflater {
  // 512 KiB output chunks: a quarter of the stream callbacks 128 KiB cost (measured: ≈ 0.3 s less per run).
  const gunzip = createGunzip({ chunkSize: OUTPUT_BYTES });
  let failure: Error | undefined;
  gunzip.on('data', (chunk: Buffer) => {
    if (failure) return;
    try {
      onOutput(chunk, chunk.length);
    } catch (error) {
      failure = error as Error;
      gunzip.destroy(failure);
    }
  });
  const finished = new Promise<void>((resolve, reject) => {
    gunzip.once('end', resolve);
    gunzip.once('error', (error) => reject(failure ?? error));
    gunzip.once('close', () => {
      if (failure) reject(failure);
    });
  });
  // Reported through end(); a listener keeps an early rejection from being "unhandled".
  finished.catch(() => undefined);
  return {
    // A write that zlib fails never calls back: the stream's end (rejected with the error) settles it instead.
    write: (chunk) =>
      Promise.race([
        finished.then(() => undefined),
        new Promise<void>((resolve, reject) => {
          if (gunzip.destroyed) return reject(failure ?? gunzip.errored ?? new Error('gunzip closed'));
          gunzip.write(chunk, () => (failure ? reject(failure) : resolve()));
        }),
      ]),
    end: async () => {
      if (!gunzip.destroyed) gunzip.end();
      await finished;
    },
    destroy: () => gunzip.destroy(),
  };
}

/**
 * Feed it the compressed bytes in order (write), then end(). Lines go through the fast scanner; a line it does not
 * take is read by the generic reader, which throws ExportInputError naming `name` and the line for bad input.
 */
export class FileDecoder {
  private readonly md5 = createHash('md5');
  private readonly inflater: Inflater;
  private readonly writer = new BatchWriter();
  private readonly scan: typeof scanLedgerLine;
  private carry: Buffer | undefined;
  private line = 0;
  private failure: Error | undefined;

  constructor(
    table: ExportTable,
    private readonly name: string,
    private readonly onBatch: (batch: RecordBatch) => void,
    inflate: InflateMode = 'binding',
  ) {
    this.scan = table === 'ledger' ? scanLedgerLine : scanOrdersLine;
    const onOutput: OnOutput = (out, length) => this.take(out, length);
    this.inflater = (inflate === 'binding' ? bindingInflater(onOutput) : undefined) ?? streamInflater(onOutput);
  }

  /** Whether a line or the gzip already failed (end() will throw it): no need to read on. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Resolves once the chunk is consumed (back-pressure for the reader); a failure is kept for end(). */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.failure) return;
    this.md5.update(chunk);
    try {
      await this.inflater.write(chunk);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  async end(): Promise<DecodedFile> {
    if (!this.failure) {
      try {
        await this.inflater.end();
      } catch (error) {
        this.fail(error as Error);
      }
    }
    if (this.failure) throw this.failure;
    if (this.carry && this.carry.length > 0) this.lineAt(this.carry, 0, this.carry.length);
    this.carry = undefined;
    this.flush();
    return { lines: this.line, md5: this.md5.digest('base64') };
  }

  /** A line's own error (ExportInputError) as it is; a zlib error names the file and the line it stopped in. */
  private fail(error: Error) {
    if (this.failure) return;
    this.failure =
      error instanceof ExportInputError
        ? error
        : new ExportInputError(this.name, this.line + 1, `unreadable gzip (truncated or corrupt): ${error.message}`);
    this.inflater.destroy();
  }

  /** Lines of `chunk[0 … length)`, cut in place; the unfinished last one is copied (the chunk is not ours to keep). */
  private take(chunk: Buffer, length: number) {
    let start = 0;
    if (this.carry) {
      const newline = chunk.indexOf(10);
      if (newline === -1 || newline >= length) {
        this.carry = Buffer.concat([this.carry, chunk.subarray(0, length)]);
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, newline)]);
      this.carry = undefined;
      this.lineAt(joined, 0, joined.length);
      start = newline + 1;
    }
    let newline = chunk.indexOf(10, start);
    while (newline !== -1 && newline < length) {
      this.lineAt(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < length) this.carry = Buffer.from(chunk.subarray(start, length));
    if (this.writer.items >= BATCH_LINES) this.flush();
  }

  private lineAt(bytes: Buffer, start: number, end: number) {
    this.line += 1;
    if (this.scan(bytes, start, end, this.line, this.writer)) return;
    const item = parseItemLine(bytes.toString('utf8', start, end), this.name, this.line);
    this.writer.int(RecordKind.plain);
    this.writer.int(this.line);
    this.writer.int(this.writer.plains.length);
    this.writer.plains.push({ line: this.line, item });
    this.writer.items++;
  }

  /** Hands a consumed batch's arrays back for reuse. */
  recycle(arrays: { ints: Int32Array; nums: Float64Array; bytes: Uint8Array }) {
    this.writer.recycle(arrays);
  }

  private flush() {
    if (this.writer.items > 0) this.onBatch(this.writer.take());
  }
}
