/** A decoding thread: receives one data file's compressed bytes at a time and posts back record batches. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { type ExportTable, FileDecoder } from './decode';
import { ExportInputError } from './item-json';
import type { RecordBatch } from './item-scan';

export type ToWorker =
  | { type: 'start'; job: number; table: ExportTable; name: string }
  | { type: 'chunk'; job: number; data: Uint8Array }
  | { type: 'end'; job: number }
  /** The parent consumed one batch; its arrays come back for reuse. */
  | { type: 'credit'; job: number; ints: Int32Array; nums: Float64Array; bytes: Uint8Array };

export type FromWorker =
  | { type: 'batch'; job: number; batch: RecordBatch }
  | { type: 'ack'; job: number; bytes: number }
  | { type: 'done'; job: number; lines: number; md5: string }
  | { type: 'error'; job: number; input: boolean; file: string; line: number | undefined; message: string };

const port = parentPort;
if (!port) throw new Error('decode-worker runs as a worker thread');
let current: { job: number; decoder: FileDecoder; name: string } | undefined;
/**
 * Batches posted and not yet consumed by the parent. While more than MAX_UNCONSUMED wait, chunk acknowledgements are
 * held back, so the parent sends no more bytes: a slow consumer slows the reading instead of queueing batches.
 */
const MAX_UNCONSUMED = 4;
let unconsumed = 0;
let heldAcks: FromWorker[] = [];

/**
 * Every compressed chunk arrives in a buffer of its own (transferred from the parent), and V8 only collects such
 * off-heap garbage once ~64 MB of it has piled up (per thread): a minor collection every 8 batches keeps the pile
 * small (measured on the benchmark export: ≈ 8 MB less peak RSS, time unchanged). The only way to call one from a
 * worker is a context created after --expose-gc is set.
 */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;
const COLLECT_EVERY_BATCHES = 8;
let batchesSinceCollect = 0;

const post = (message: FromWorker, transfer: ArrayBufferLike[] = []) =>
  port.postMessage(message, transfer as ArrayBuffer[]);

function failed(job: number, name: string, error: unknown) {
  current = undefined;
  if (error instanceof ExportInputError) {
    post({ type: 'error', job, input: true, file: error.file, line: error.line, message: error.message });
  } else {
    post({ type: 'error', job, input: false, file: name, line: undefined, message: String((error as Error).stack) });
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'start') {
    const { job, name } = message;
    const decoder = new FileDecoder(message.table, name, (batch) => {
      unconsumed += 1;
      batchesSinceCollect += 1;
      if (batchesSinceCollect === COLLECT_EVERY_BATCHES) {
        batchesSinceCollect = 0;
        collect({ type: 'minor' });
      }
      post({ type: 'batch', job, batch }, [batch.ints.buffer, batch.nums.buffer, batch.bytes.buffer]);
    });
    current = { job, decoder, name };
    return;
  }
  if (message.type === 'credit') {
    unconsumed -= 1;
    current?.decoder.recycle(message);
    if (unconsumed <= MAX_UNCONSUMED) {
      for (const ack of heldAcks) post(ack);
      heldAcks = [];
    }
    return;
  }
  const work = current;
  if (!work || work.job !== message.job) return; // a file given up after an error
  if (message.type === 'chunk') {
    const bytes = message.data.byteLength;
    work.decoder.write(message.data).then(() => {
      const ack: FromWorker = { type: 'ack', job: work.job, bytes };
      if (unconsumed > MAX_UNCONSUMED) heldAcks.push(ack);
      else post(ack);
    });
    return;
  }
  work.decoder.end().then(
    (done) => {
      current = undefined;
      post({ type: 'done', job: work.job, lines: done.lines, md5: done.md5 });
    },
    (error: unknown) => failed(work.job, work.name, error),
  );
});
