/** `finance reconcile`: proves a ledger export complete and balanced, and its receivables and payables equal to the orders'. */
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { formatUsd } from '../functions/domain/money';
import { transferUnitPrice, unifiedUnitPrice } from '../functions/domain/pricing';
import { catalogueDocumentSchema, priceListSchema, type RuleSet } from '../functions/domain/rules';
import {
  addCents,
  Books,
  bookedOrderStatuses,
  centsToUsd,
  type Discrepancy,
  HEADER_CREDIT_OK,
  HEADER_DEBIT_OK,
  payableAllocationStatuses,
  toCents,
} from './books';
import { type DecodedFile, type ExportTable, FileDecoder } from './decode';
import type { FromWorker, ToWorker } from './decode-worker';
import type { ManifestFile } from './export-layout';
import { type ExportSource, MissingObjectError, openSource } from './export-source';
import { dataFileKey, ExportInputError, type FoundExport, findExports, readManifestFiles } from './read-export';
import { writeReport } from './report';

export type { Discrepancy, DiscrepancyKind } from './books';
export { bookedOrderStatuses, ExportInputError, payableAllocationStatuses };

/** The report keeps this many discrepancies in memory and on paper; the count beyond it is still exact. */
const MAX_LISTED = 10_000;
/** Below this many items, decoding on the calling thread beats starting workers. */
const WORKERS_FROM_ITEMS = 50_000;
/** Compressed bytes handed to a worker and not yet consumed by its gunzip: bounds memory whatever the source's speed. */
const IN_FLIGHT_BYTES = 1 << 20;

export interface FactoryTotal {
  factoryId: string;
  /** Net payable in the ledger: credits less debits on factory-payable. */
  ledgerUsd: string;
  /** Σ standing allocations of booked orders × transfer price, from the orders export. */
  expectedUsd: string;
  differenceUsd: string;
}

export interface ReconcileOptions {
  source: string | ExportSource;
  reportDir: string;
  ledgerExportId?: string;
  ordersExportId?: string;
  progress?: ((line: string) => void) | undefined;
  /**
   * Decoding worker threads besides the calling thread, which decodes files too whenever there are workers: 0 decodes
   * on the calling thread only; the default is one per core but one for exports of 50,000 items or more (gunzip and
   * line scanning are most of the work, and files decode independently). Each worker costs ~25 MB of memory (its heap
   * and gunzip buffers), so the calling thread takes the place of one.
   */
  workers?: number;
}

export interface ReconcileResult {
  ledgerExport: FoundExport;
  ordersExport: FoundExport;
  itemsRead: number;
  transactions: number;
  ordersChecked: number;
  discrepancyCount: number;
  discrepancies: Discrepancy[];
  factories: FactoryTotal[];
  summaryLine: string;
  reportFiles: string[];
}

interface Job {
  table: ExportTable;
  fileIndex: number;
  key: string;
  name: string;
  file: ManifestFile;
  manifestName: string;
}

export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const source = typeof options.source === 'string' ? openSource(options.source) : options.source;
  const exports = await findExports(source);
  const ledgerExport = pick(exports, 'ledger', options.ledgerExportId, source);
  const ordersExport = pick(exports, 'orders', options.ordersExportId, source);

  const ordersFiles = await readManifestFiles(source, ordersExport);
  const ledgerFiles = await readManifestFiles(source, ledgerExport);
  const jobsOf = (table: ExportTable, found: FoundExport, files: ManifestFile[]): Job[] =>
    files.map((file, fileIndex) => ({
      table,
      fileIndex,
      file,
      key: dataFileKey(found, file),
      name: source.nameOf(dataFileKey(found, file)),
      manifestName: source.nameOf(`${found.dirKey}/manifest-files.json`),
    }));
  const jobs = [...jobsOf('orders', ordersExport, ordersFiles), ...jobsOf('ledger', ledgerExport, ledgerFiles)];
  const books = new Books(
    {
      orders: jobs.filter((j) => j.table === 'orders').map((j) => j.name),
      ledger: jobs.filter((j) => j.table === 'ledger').map((j) => j.name),
    },
    MAX_LISTED,
  );
  books.reserve({ ledger: ledgerExport.summary.itemCount, orders: ordersExport.summary.itemCount });

  const totalItems = ledgerExport.summary.itemCount + ordersExport.summary.itemCount;
  const report = progressReporter(options.progress, totalItems);
  let itemsDone = 0;
  const progress = (items: number) => {
    itemsDone += items;
    report('reading', itemsDone);
  };
  const workers =
    options.workers ?? (totalItems >= WORKERS_FROM_ITEMS ? Math.min(availableParallelism(), jobs.length) - 1 : 0);
  if (workers > 0) await decodeOnWorkers(source, jobs, books, progress, workers);
  else await decodeHere(source, jobs, books, progress);
  report('done', totalItems, true);

  const { factories, ordersChecked, transactions } = check(books);
  const ledgerItems = ledgerExport.summary.itemCount;
  const { discrepancyCount, discrepancies } = books;
  const summaryLine =
    discrepancyCount === 0
      ? `OK: ${ledgerItems} ledger items in ${transactions} transactions over ${ordersChecked} orders reconcile; 0 discrepancies`
      : `NOT RECONCILED: ${discrepancyCount} discrepancies in ${ledgerItems} ledger items (${transactions} transactions, ${ordersChecked} orders)`;
  const result: Omit<ReconcileResult, 'reportFiles'> = {
    ledgerExport,
    ordersExport,
    itemsRead: totalItems,
    transactions,
    ordersChecked,
    discrepancyCount,
    discrepancies,
    factories,
    summaryLine,
  };
  rmSync(options.reportDir, { recursive: true, force: true });
  const reportFiles = writeReport(options.reportDir, { ...result, listedLimit: MAX_LISTED });
  return { ...result, reportFiles };
}

// ── reading: every data file decoded once, here or on worker threads, into the books ──

async function openData(source: ExportSource, job: Job): Promise<Readable> {
  try {
    return await source.open(job.key);
  } catch (error) {
    if (error instanceof MissingObjectError) {
      throw new ExportInputError(job.manifestName, job.fileIndex + 1, `data file ${job.name} is missing`);
    }
    throw error;
  }
}

/**
 * A file's decoding work as the manifest lets us guess it before reading: its items, an orders item (an order with
 * its lines, or an allocation) weighing about twice a ledger entry in bytes (≈ 860 against ≈ 450 of JSON each in the
 * benchmark's export). Only the order in which files are taken depends on it; every file is read either way.
 */
const ORDERS_ITEM_WEIGHT = 2;
function estimatedWork(job: Job): number {
  return job.file.itemCount * (job.table === 'orders' ? ORDERS_ITEM_WEIGHT : 1);
}

/** The manifest's promises about the file, checked once all of it has been read. */
function checkFile(job: Job, done: DecodedFile) {
  if (done.md5 !== job.file.md5Checksum) {
    throw new ExportInputError(
      job.name,
      undefined,
      `md5 ${done.md5} does not match the manifest's ${job.file.md5Checksum}`,
    );
  }
  if (done.lines !== job.file.itemCount) {
    throw new ExportInputError(job.name, undefined, `${done.lines} items, the manifest lists ${job.file.itemCount}`);
  }
}

async function decodeHere(source: ExportSource, jobs: Job[], books: Books, progress: (items: number) => void) {
  for (const job of jobs) await decodeFileHere(source, job, books, progress, () => false);
}

/** Decodes one file on this thread into the books; `stopped` says another file already failed (read no further). */
async function decodeFileHere(
  source: ExportSource,
  job: Job,
  books: Books,
  progress: (items: number) => void,
  stopped: () => boolean,
) {
  const decoder: FileDecoder = new FileDecoder(job.table, job.name, (batch) => {
    books.consume(job.table, job.fileIndex, batch);
    decoder.recycle(batch);
    progress(batch.items);
  });
  const raw = await openData(source, job);
  for await (const chunk of raw) {
    await decoder.write(chunk as Buffer);
    if (decoder.failed || stopped()) break;
  }
  if (decoder.failed || stopped()) raw.destroy();
  if (stopped()) return;
  checkFile(job, await decoder.end());
}

/** Defined by the bundled build (scripts/run-bundled.mjs): the decode worker, already bundled to plain JS. */
declare const FINANCE_DECODE_WORKER_CODE: string | undefined;
let bundledWorker: string | undefined;

/**
 * The decode worker as one plain-JS bundle (node builtins only), built once per process unless the bundled build
 * brought it: a worker started on the .ts through a TypeScript loader costs ~40 MB and a loader thread of its own;
 * this one a few MB. esbuild is loaded only then.
 */
function workerCode(): string {
  if (typeof FINANCE_DECODE_WORKER_CODE === 'string') return FINANCE_DECODE_WORKER_CODE;
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  bundledWorker ??= buildSync({
    entryPoints: [fileURLToPath(new URL('./decode-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'error',
  }).outputFiles[0]?.text;
  if (!bundledWorker) throw new Error('could not bundle the decode worker');
  return bundledWorker;
}

interface Running {
  job: Job;
  number: number;
  inFlight: number;
  wake: (() => void) | undefined;
  done: ReturnType<typeof deferred<DecodedFile>>;
}

/**
 * Files go to the first free worker; the compressed bytes are read here (any source, S3 included) and handed over
 * with at most IN_FLIGHT_BYTES unconsumed per worker. The books are kept on this thread, fed by the workers' batches
 * in arrival order: every check is order-independent, so which file finishes first does not matter.
 */
async function decodeOnWorkers(
  source: ExportSource,
  jobs: Job[],
  books: Books,
  progress: (items: number) => void,
  count: number,
) {
  const code = workerCode();
  const workers = Array.from({ length: count }, () => new Worker(code, { eval: true, execArgv: [] }));
  const running = new Map<Worker, Running>();
  let failure: unknown;
  const { promise: failed, reject: fail } = deferred<never>();
  failed.catch(() => undefined);
  const stop = (error: unknown) => {
    failure ??= error;
    fail(failure);
  };
  const send = (worker: Worker, message: ToWorker, transfer: ArrayBuffer[] = []) =>
    worker.postMessage(message, transfer);
  for (const worker of workers) {
    worker.on('message', (message: FromWorker) => {
      const current = running.get(worker);
      if (!current || failure) return;
      try {
        if (message.type === 'batch') {
          const { batch } = message;
          books.consume(current.job.table, current.job.fileIndex, batch);
          const { ints, nums, bytes } = batch;
          send(worker, { type: 'credit', job: message.job, ints, nums, bytes }, [
            ints.buffer as ArrayBuffer,
            nums.buffer as ArrayBuffer,
            bytes.buffer as ArrayBuffer,
          ]);
          progress(message.batch.items);
        } else if (message.type === 'ack') {
          if (message.job !== current.number) return; // held back past its file's end
          current.inFlight -= message.bytes;
          current.wake?.();
          current.wake = undefined;
        } else if (message.type === 'done') {
          current.done.resolve(message);
        } else {
          current.done.reject(
            message.input
              ? new ExportInputError(message.file, message.line, message.message)
              : new Error(message.message),
          );
        }
      } catch (error) {
        stop(error);
      }
    });
    worker.on('error', stop);
    worker.on('exit', (code) => {
      if (code !== 0) stop(new Error(`decode worker exited with code ${code}`));
    });
  }

  // Jobs come biggest first. Workers take from the front; this thread, which also consumes every worker's batches and
  // so decodes more slowly, takes from the back: its files are the small ones, and the last file of the run is small.
  // Biggest first, so that the threads end together instead of one waiting on another's large last file.
  const queue = [...jobs].sort((a, b) => estimatedWork(b) - estimatedWork(a));
  let next = 0;
  let last = queue.length - 1;
  const feed = async (worker: Worker) => {
    while (next <= last && failure === undefined) {
      const jobNumber = next++;
      const job = queue[jobNumber] as Job;
      const current: Running = { job, number: jobNumber, inFlight: 0, wake: undefined, done: deferred<DecodedFile>() };
      current.done.promise.catch(() => undefined);
      running.set(worker, current);
      send(worker, { type: 'start', job: jobNumber, table: job.table, name: job.name });
      const raw = await openData(source, job);
      for await (const chunk of raw) {
        if (failure !== undefined) break;
        while (current.inFlight > IN_FLIGHT_BYTES && failure === undefined) {
          await new Promise<void>((resolve) => {
            current.wake = resolve;
          });
        }
        // A copy of our own to hand over: the stream's buffer may be pooled.
        const data = new Uint8Array(chunk as Buffer);
        current.inFlight += data.byteLength;
        send(worker, { type: 'chunk', job: jobNumber, data }, [data.buffer]);
      }
      if (failure !== undefined) {
        raw.destroy();
        return;
      }
      send(worker, { type: 'end', job: jobNumber });
      checkFile(job, await Promise.race([current.done.promise, failed]));
      running.delete(worker);
    }
  };
  /** This thread takes files from the same queue between consuming the workers' batches. */
  const feedHere = async () => {
    while (next <= last && failure === undefined) {
      const job = queue[last--] as Job;
      await decodeFileHere(source, job, books, progress, () => failure !== undefined);
    }
  };
  try {
    const feeders = workers.map((worker) => feed(worker).catch(stop));
    feeders.push(feedHere().catch(stop));
    await Promise.race([Promise.all(feeders), failed]);
    if (failure !== undefined) throw failure;
  } finally {
    for (const current of running.values()) current.wake?.();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// ── checks, once everything is read ──

function check(books: Books): { factories: FactoryTotal[]; ordersChecked: number; transactions: number } {
  const flag = (d: Discrepancy) => books.flag(d);
  const { orderIds, txIds, factoryIds, words } = books;

  // transactions: complete, balanced, headers agree, reversals point at something
  let transactions = 0;
  for (let tx = 0; tx < txIds.size; tx++) {
    if (!books.tItems[tx]) continue; // only named by a reversal
    transactions += 1;
    const order = books.tOrder[tx] as number;
    // The ids as strings only for a discrepancy: building them for each of ~200,000 clean transactions cost ≈ 0.2 s.
    const about = () => {
      const transactionId = txIds.text(tx);
      return {
        subject: transactionId,
        orderId: orderIds.text(order),
        transactionId,
        where: books.where('ledger', books.tFile[tx] as number, books.tLine[tx] as number),
      };
    };
    const entries = books.tEntries[tx] as number;
    const maxIndex = books.tMaxIndex[tx] as number;
    if (!books.tHeader[tx]) {
      flag({
        kind: 'orphan-entry',
        ...about(),
        message: `${entries} entries without a transaction header`,
      });
      continue;
    }
    books.oPostings[order] = (books.oPostings[order] as number) + 1;
    const entryCount = books.entryCount(tx);
    if (entries !== entryCount || maxIndex >= entryCount) {
      flag({
        kind: entries < entryCount ? 'missing-entry' : 'orphan-entry',
        ...about(),
        message: `header lists ${entryCount} entries, the export holds ${entries} (highest index ${maxIndex})`,
      });
    }
    const debit = books.tDebit[tx] as number;
    const credit = books.tCredit[tx] as number;
    if (debit !== credit) {
      flag({
        kind: 'unbalanced',
        ...about(),
        expectedUsd: centsToUsd(debit),
        actualUsd: centsToUsd(credit),
        message: `debits ${centsToUsd(debit)} ≠ credits ${centsToUsd(credit)}`,
      });
    }
    const ok = books.tHeaderOk[tx] as number;
    const headerDebit = ok & HEADER_DEBIT_OK ? (books.tHeaderDebit[tx] as number) : undefined;
    const headerCredit = ok & HEADER_CREDIT_OK ? (books.tHeaderCredit[tx] as number) : undefined;
    if (headerDebit !== debit || headerCredit !== credit) {
      flag({
        kind: 'header-mismatch',
        ...about(),
        message: `header totals ${centsToUsd(headerDebit ?? 0)}/${centsToUsd(headerCredit ?? 0)} ≠ entries ${centsToUsd(debit)}/${centsToUsd(credit)}`,
      });
    }
    const reverses = books.tReverses[tx] as number;
    if (reverses !== -1 && !books.tHeader[reverses]) {
      flag({
        kind: 'orphan-reversal',
        ...about(),
        message: `reverses ${txIds.text(reverses)}, which is not in the export`,
      });
    }
  }

  // orders: receivable at the unified price, payables at the transfer price, or nothing at all
  const status = (order: number) => {
    const index = books.oStatus[order] as number;
    return index === -1 ? undefined : words.text(index);
  };
  const word = (index: number) => (index === -1 ? undefined : words.text(index));
  const booked = new Set((bookedOrderStatuses as readonly string[]).map((s) => words.internString(s)));
  const payable = new Set((payableAllocationStatuses as readonly string[]).map((s) => words.internString(s)));
  const linePrices = new LinePrices(words);
  /** Rule sets by (catalogue, price list) word index: no strings per order. */
  const ruleSetByWords = new Map<number, Map<number, RuleSet | string>>();
  const expectedByFactory = new Float64Array(factoryIds.size);
  const expectedInUse = new Uint8Array(factoryIds.size);
  let ordersChecked = 0;
  for (let order = 0; order < orderIds.size; order++) {
    const receivable = books.oReceivable[order] as number;
    const payableCents = books.oPayable[order] as number;
    if (!books.oSeen[order]) {
      const postings = books.oPostings[order] as number;
      if (postings > 0 || receivable !== 0 || payableCents !== 0) {
        const orderId = orderIds.text(order);
        flag({
          kind: 'orphan-transaction',
          subject: orderId,
          orderId,
          message: `the ledger holds ${postings} transaction(s) for an order the orders export does not have`,
        });
      }
      continue;
    }
    ordersChecked += 1;
    const isBooked = booked.has(books.oStatus[order] as number);
    let expectedReceivable = 0;
    let expectedPayable = 0;
    if (isBooked) {
      const catalogue = books.oCatalogue[order] as number;
      const priceList = books.oPriceList[order] as number;
      let byPriceList = ruleSetByWords.get(catalogue);
      if (!byPriceList) {
        byPriceList = new Map();
        ruleSetByWords.set(catalogue, byPriceList);
      }
      let ruleSet = byPriceList.get(priceList);
      if (ruleSet === undefined) {
        ruleSet = ruleSetFor(books.rules, word(catalogue), word(priceList));
        byPriceList.set(priceList, ruleSet);
      }
      if (typeof ruleSet === 'string') {
        const orderId = orderIds.text(order);
        flag({ kind: 'unpriceable-order', subject: orderId, orderId, message: ruleSet });
        continue;
      }
      const incoterm = books.oIncoterm[order] as number;
      const destination = books.oDestination[order] as number;
      const start = books.oLineStart[order] as number;
      const lines = books.oLineCount[order] as number;
      const prices = linePrices.context(ruleSet, incoterm, destination);
      let unpriceable: string | undefined;
      for (let lineIndex = 0; lineIndex < lines; lineIndex++) {
        const l = start + lineIndex;
        const quantityKg = books.lQuantity[l] as number;
        const price = linePrices.price(prices, ruleSet, {
          incoterm,
          destination,
          grade: books.lGrade[l] as number,
          coating: books.lCoating[l] as number,
          quantityKg,
        });
        if (typeof price === 'string') {
          unpriceable = `line ${lineIndex}: ${price}`;
          break;
        }
        const amount = price.unitCents * quantityKg;
        if (!Number.isSafeInteger(amount)) {
          unpriceable = `line ${lineIndex}: quantity ${quantityKg} at ${price.transfer} is not a whole number of cents`;
          break;
        }
        expectedReceivable = addCents(expectedReceivable, amount);
        for (let a = books.oAllocationHead[order] as number; a !== -1; a = books.aNext[a] as number) {
          if (books.aLineIndex[a] === lineIndex && books.aTransfer[a] !== price.transferWord) {
            const orderId = orderIds.text(order);
            const actual = words.text(books.aTransfer[a] as number);
            const allocationId = books.allocationId(a);
            flag({
              kind: 'transfer-price',
              subject: allocationId,
              orderId,
              factoryId: factoryIds.text(books.aFactory[a] as number),
              expectedUsd: price.transfer,
              actualUsd: actual,
              message: `allocation ${allocationId} carries transfer price ${actual}, the rules give ${price.transfer}`,
            });
          }
        }
      }
      if (unpriceable) {
        const orderId = orderIds.text(order);
        flag({ kind: 'unpriceable-order', subject: orderId, orderId, message: unpriceable });
        continue;
      }
      for (let a = books.oAllocationHead[order] as number; a !== -1; a = books.aNext[a] as number) {
        if (!payable.has(books.aStatus[a] as number)) continue;
        const cents = books.aCents[a] as number;
        const factory = books.aFactory[a] as number;
        expectedPayable = addCents(expectedPayable, cents);
        expectedByFactory[factory] = addCents(expectedByFactory[factory] as number, cents);
        expectedInUse[factory] = 1;
      }
    }
    if (receivable !== expectedReceivable) {
      const orderId = orderIds.text(order);
      flag({
        kind: 'receivable',
        subject: orderId,
        orderId,
        expectedUsd: centsToUsd(expectedReceivable),
        actualUsd: centsToUsd(receivable),
        message: isBooked
          ? `${status(order)} order: receivable ${centsToUsd(receivable)}, its lines at the unified price make ${centsToUsd(expectedReceivable)}`
          : `${status(order)} order still has a net receivable of ${centsToUsd(receivable)}`,
      });
    }
    if (payableCents !== expectedPayable) {
      const orderId = orderIds.text(order);
      flag({
        kind: 'payable-order',
        subject: orderId,
        orderId,
        expectedUsd: centsToUsd(expectedPayable),
        actualUsd: centsToUsd(payableCents),
        message: `${status(order)} order: payables ${centsToUsd(payableCents)}, standing allocations × transfer price make ${centsToUsd(expectedPayable)}`,
      });
    }
  }

  // factories: what the ledger owes each one against what its standing allocations are worth
  const factoryOrder = Array.from({ length: factoryIds.size }, (_, f) => f)
    .filter((f) => books.fInLedger[f] === 1 || expectedInUse[f] === 1)
    .map((f) => ({ f, id: factoryIds.text(f) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const factories: FactoryTotal[] = factoryOrder.map(({ f, id: factoryId }) => {
    const ledger = books.fLedger[f] as number;
    const expected = expectedByFactory[f] as number;
    if (ledger !== expected) {
      flag({
        kind: 'payable-factory',
        subject: factoryId,
        factoryId,
        expectedUsd: centsToUsd(expected),
        actualUsd: centsToUsd(ledger),
        message: `ledger owes ${factoryId} ${centsToUsd(ledger)}, its standing allocations make ${centsToUsd(expected)}`,
      });
    }
    return {
      factoryId,
      ledgerUsd: centsToUsd(ledger),
      expectedUsd: centsToUsd(expected),
      differenceUsd: centsToUsd(addCents(ledger, -expected)),
    };
  });
  return { factories, ordersChecked, transactions };
}

function pick(exports: FoundExport[], table: 'ledger' | 'orders', id: string | undefined, source: ExportSource) {
  if (id !== undefined) {
    const chosen = exports.find((e) => e.exportId === id);
    if (!chosen) throw new ExportInputError(source.description, undefined, `no export ${id} here`);
    return chosen;
  }
  // The latest full export of the table; incremental exports hold changes, not the books.
  const candidates = exports
    .filter(
      (e) => e.tableName.toLowerCase().includes(table) && (e.summary.exportType ?? 'FULL_EXPORT') === 'FULL_EXPORT',
    )
    .sort((a, b) => b.summary.exportTime.localeCompare(a.summary.exportTime));
  const chosen = candidates[0];
  if (!chosen) {
    throw new ExportInputError(
      source.description,
      undefined,
      `no full export of a ${table} table found (found: ${exports.map((e) => `${e.tableName}/${e.exportId}`).join(', ') || 'none'})`,
    );
  }
  return chosen;
}

const ruleSets = new WeakMap<object, Map<string, RuleSet>>();

/** The two documents pricing reads, parsed once per (catalogue, price list) version pair. */
function ruleSetFor(
  rules: { catalogue: Map<string, unknown>; priceList: Map<string, unknown> },
  catalogueVersion: string | undefined,
  priceListVersion: string | undefined,
): RuleSet | string {
  const parsed = ruleSets.get(rules) ?? new Map<string, RuleSet>();
  ruleSets.set(rules, parsed);
  const key = `${catalogueVersion}|${priceListVersion}`;
  const cached = parsed.get(key);
  if (cached) return cached;
  const catalogue = catalogueVersion === undefined ? undefined : rules.catalogue.get(catalogueVersion);
  const priceList = priceListVersion === undefined ? undefined : rules.priceList.get(priceListVersion);
  if (!catalogue || !priceList) {
    return `the orders export lacks the rules it was priced with (catalogue ${catalogueVersion}, price list ${priceListVersion})`;
  }
  const ruleSet = {
    catalogue: catalogueDocumentSchema.parse(catalogue),
    priceList: priceListSchema.parse(priceList),
  } as unknown as RuleSet;
  parsed.set(key, ruleSet);
  return ruleSet;
}

interface Price {
  unitCents: number;
  transfer: string;
  /** The transfer price's index in the books' words, to compare with an allocation's without a string. */
  transferWord: number;
}

/**
 * Unit and transfer price per distinct (rules, incoterm, destination, grade, coating, volume tier): decimal.js once,
 * then cents. C and D terms are priced by the order's destination region (price list destinationPricing). Keys are
 * the books' word indexes, so a line costs two map lookups and no string (string keys were half of check()'s time).
 */
class LinePrices {
  /** By rule set, then incoterm and destination words: the region's prices by (grade, coating), then volume tier. */
  private readonly terms = new Map<RuleSet, Map<number, Map<number, (Price | string)[]>>>();
  private readonly width: number;

  constructor(private readonly words: Books['words']) {
    // The keys' words (incoterms, destinations, grades, coatings) were all read from the export, so their indexes are
    // below words.size now; pricing adds only transfer prices, which are never part of a key.
    this.width = words.size + 2;
  }

  /** Prices of the lines of one order context (rules, incoterm, destination), keyed by grade, coating and tier. */
  context(rules: RuleSet, incoterm: number, destination: number): Map<number, (Price | string)[]> {
    let byTerm = this.terms.get(rules);
    if (!byTerm) {
      byTerm = new Map();
      this.terms.set(rules, byTerm);
    }
    const termKey = (incoterm + 1) * this.width + destination + 1;
    let prices = byTerm.get(termKey);
    if (!prices) {
      prices = new Map();
      byTerm.set(termKey, prices);
    }
    return prices;
  }

  price(
    prices: Map<number, (Price | string)[]>,
    rules: RuleSet,
    line: { incoterm: number; destination: number; grade: number; coating: number; quantityKg: number },
  ): Price | string {
    const lineKey = (line.grade + 1) * this.width + line.coating + 1;
    let byTier = prices.get(lineKey);
    if (!byTier) {
      byTier = [];
      prices.set(lineKey, byTier);
    }
    // The tier volumeDiscountPercent picks (the last one reached), as an index: 0 below every tier.
    const tiers = rules.priceList.volumeTiers;
    let tier = 0;
    for (let t = 0; t < tiers.length; t++) if (line.quantityKg >= (tiers[t] as { minKg: number }).minKg) tier = t + 1;
    let price = byTier[tier];
    if (price === undefined) {
      price = this.compute(rules, line);
      byTier[tier] = price;
    }
    return price;
  }

  private compute(
    rules: RuleSet,
    line: { incoterm: number; destination: number; grade: number; coating: number; quantityKg: number },
  ): Price | string {
    const text = (index: number) => (index === -1 ? undefined : this.words.text(index));
    const incoterm = text(line.incoterm);
    const destinationCountry = text(line.destination);
    try {
      const unit = unifiedUnitPrice(
        { grade: text(line.grade), coating: text(line.coating), quantityKg: line.quantityKg } as never,
        incoterm as never,
        rules,
        destinationCountry,
      );
      const transfer = formatUsd(transferUnitPrice(unit, rules));
      return { unitCents: toCents(formatUsd(unit)) ?? 0, transfer, transferWord: this.words.internString(transfer) };
    } catch (error) {
      return (error as Error).message;
    }
  }
}

function progressReporter(report: ((line: string) => void) | undefined, total: number) {
  const started = Date.now();
  let last = 0;
  return (phase: string, done: number, final = false) => {
    if (!report) return;
    const now = Date.now();
    if (!final && now - last < 1000) return;
    last = now;
    const seconds = Math.max((now - started) / 1000, 0.001);
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    report(
      `reconcile: ${phase} ${done.toLocaleString('en')} / ${total.toLocaleString('en')} items (${percent}%), ${Math.round(done / seconds).toLocaleString('en')} items/s`,
    );
  };
}
