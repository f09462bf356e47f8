/**
 * What reconcile keeps while it reads: ids interned to integer indexes, and per order, transaction, allocation and
 * factory a few numbers in typed arrays (no object or string per record), so memory stays small for millions of items.
 * Money is integer cents held as safe integers (every sum checked to stay below 2^53), never fractions.
 */
import { ledgerAccounts } from '../functions/domain/ledger';
import { grow, Interner, reserve } from './interner';
import { type RecordBatch, RecordKind } from './item-scan';
import { ExportInputError, type PlainItem } from './read-export';

export const payableAllocationStatuses = ['RESERVED', 'NOTIFIED', 'ACCEPTED'] as const;
export const bookedOrderStatuses = ['ALLOCATED', 'CONFIRMED'] as const;

export type DiscrepancyKind =
  | 'unbalanced'
  | 'header-mismatch'
  | 'missing-entry'
  | 'orphan-entry'
  | 'orphan-transaction'
  | 'orphan-reversal'
  | 'malformed-entry'
  | 'receivable'
  | 'payable-order'
  | 'payable-factory'
  | 'transfer-price'
  | 'unpriceable-order';

export interface Discrepancy {
  kind: DiscrepancyKind;
  subject: string;
  orderId?: string;
  factoryId?: string;
  transactionId?: string;
  where?: string;
  expectedUsd?: string;
  actualUsd?: string;
  message: string;
}

/** Sum of two cent amounts; refuses to leave the safe-integer range, where a double would stop being exact. */
export function addCents(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError(`cent total out of exact range (${a} + ${b})`);
  return sum;
}

export function centsToUsd(cents: number): string {
  const negative = cents < 0;
  const abs = String(negative ? -cents : cents).padStart(3, '0');
  return `${negative ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

const centsPattern = /^(\d{1,13})\.(\d{2})$/;
/** "1234.56" → 123456; anything else → undefined. */
export function toCents(amount: unknown): number | undefined {
  if (typeof amount !== 'string') return undefined;
  const match = centsPattern.exec(amount);
  return match ? Number(match[1]) * 100 + Number(match[2]) : undefined;
}

function sameBytes(bytes: Uint8Array, offset1: number, length1: number, offset2: number, length2: number): boolean {
  if (length1 !== length2) return false;
  for (let i = 0; i < length1; i++) if (bytes[offset1 + i] !== bytes[offset2 + i]) return false;
  return true;
}

type Resize = typeof grow;
/** Room per id when sizing up front (order ids ≈ 12–36 bytes, transaction ids ≈ 35; longer ones grow the arena). */
const ID_BYTES = 32;

const HEADER_DEBIT_OK = 1;
const HEADER_CREDIT_OK = 2;
/** The scanner's account codes (an enum: a bundle inlines it). */
enum Account {
  RECEIVABLE = 0,
  PAYABLE = 1,
}

export class Books {
  readonly orderIds = new Interner();
  readonly txIds = new Interner();
  readonly factoryIds = new Interner();
  /** Small vocabularies: statuses, grades, coatings, incoterms, destinations, rule versions, transfer prices. */
  readonly words = new Interner();
  private readonly otherKeys = new Interner();
  readonly rules = { catalogue: new Map<string, unknown>(), priceList: new Map<string, unknown>() };

  // per order (index = orderIds index)
  oSeen = new Uint8Array(0);
  oStatus = new Int32Array(0);
  oBooked = new Uint8Array(0);
  oReceivable = new Float64Array(0);
  oPayable = new Float64Array(0);
  oPostings = new Int32Array(0);
  oLineStart = new Int32Array(0);
  oLineCount = new Int32Array(0);
  oIncoterm = new Int32Array(0);
  /** The order's destinationCountry (−1 = none): C and D terms are priced by its region. */
  oDestination = new Int32Array(0);
  oCatalogue = new Int32Array(0);
  oPriceList = new Int32Array(0);
  oAllocationHead = new Int32Array(0);
  // order lines of booked orders
  lGrade = new Int32Array(0);
  lCoating = new Int32Array(0);
  lQuantity = new Float64Array(0);
  lineCount = 0;
  // allocations
  /** Allocation ids, bytes in an arena (duplicates are looked for among the order's own allocations only). */
  aIdStart = new Int32Array(0);
  aIdLength = new Int32Array(0);
  private aIdArena = new Uint8Array(1 << 16);
  private aIdUsed = 0;
  aFactory = new Int32Array(0);
  aLineIndex = new Int32Array(0);
  aCents = new Float64Array(0);
  aStatus = new Int32Array(0);
  aTransfer = new Int32Array(0);
  aNext = new Int32Array(0);
  allocationCount = 0;
  // per transaction (index = txIds index; a reversed id interned before its own items arrive has tItems 0)
  tItems = new Uint8Array(0);
  tHeader = new Uint8Array(0);
  tOrder = new Int32Array(0);
  /** The header's entryCount; one that is not a 32-bit integer (only from a malformed header) waits in entryCountOdd. */
  tEntryCount = new Int32Array(0);
  private readonly entryCountOdd = new Map<number, number>();
  /** Entry indexes 0–29 seen, as bits; indexes 30–119 (long transactions only) in seenHigh. */
  tSeen = new Int32Array(0);
  private readonly seenHigh = new Map<number, Int32Array>();
  tEntries = new Int16Array(0);
  tMaxIndex = new Int16Array(0);
  tDebit = new Float64Array(0);
  tCredit = new Float64Array(0);
  tHeaderDebit = new Float64Array(0);
  tHeaderCredit = new Float64Array(0);
  tHeaderOk = new Uint8Array(0);
  tReverses = new Int32Array(0);
  tFile = new Int32Array(0);
  tLine = new Int32Array(0);
  // per factory: net payable in the ledger
  fLedger = new Float64Array(0);
  /** 1 once a payable entry named the factory (it is listed even when it nets to zero). */
  fInLedger = new Uint8Array(0);

  readonly discrepancies: Discrepancy[] = [];
  discrepancyCount = 0;

  constructor(
    private readonly fileNames: Record<'ledger' | 'orders', readonly string[]>,
    private readonly maxListed: number,
  ) {}

  flag(d: Discrepancy) {
    this.discrepancyCount += 1;
    if (this.discrepancies.length < this.maxListed) this.discrepancies.push(d);
  }

  where(table: 'ledger' | 'orders', file: number, line: number): string {
    return `${this.fileNames[table][file] ?? '?'}:${line}`;
  }

  private duplicate(table: 'ledger' | 'orders', file: number, line: number, key: string): ExportInputError {
    return new ExportInputError(this.fileNames[table][file] ?? '?', line, `duplicated item ${key}`);
  }

  // ── index allocation ──

  /**
   * Sizes the arrays once from the manifests' item counts, known before reading, so that reading never grows and
   * copies them: orders, allocations and order lines at most one per orders item (an order, or an allocation, with its
   * lines) and transactions at most one per ledger item. The bounds are generous but cost little: a fresh array's
   * pages are mapped zeroed and become resident only once written, and only indexes in use are written. Past a bound
   * (an order or transaction named only by the ledger, an order of many lines) the arrays still grow as before.
   */
  reserve(items: { ledger: number; orders: number }) {
    this.orderIds.reserve(items.orders, ID_BYTES);
    this.txIds.reserve(items.ledger, ID_BYTES);
    this.aIdArena = reserve(this.aIdArena, items.orders * ID_BYTES);
    this.sizeOrders(items.orders, reserve);
    this.sizeLines(items.orders, reserve);
    this.sizeAllocations(items.orders, reserve);
    this.sizeTransactions(items.ledger, reserve);
  }

  private sizeOrders(n: number, size: Resize) {
    this.oSeen = size(this.oSeen, n);
    this.oStatus = size(this.oStatus, n);
    this.oBooked = size(this.oBooked, n);
    this.oReceivable = size(this.oReceivable, n);
    this.oPayable = size(this.oPayable, n);
    this.oPostings = size(this.oPostings, n);
    this.oLineStart = size(this.oLineStart, n);
    this.oLineCount = size(this.oLineCount, n);
    this.oIncoterm = size(this.oIncoterm, n);
    this.oDestination = size(this.oDestination, n);
    this.oCatalogue = size(this.oCatalogue, n);
    this.oPriceList = size(this.oPriceList, n);
    this.oAllocationHead = size(this.oAllocationHead, n);
  }

  private sizeLines(n: number, size: Resize) {
    this.lGrade = size(this.lGrade, n);
    this.lCoating = size(this.lCoating, n);
    this.lQuantity = size(this.lQuantity, n);
  }

  private sizeAllocations(n: number, size: Resize) {
    this.aIdStart = size(this.aIdStart, n);
    this.aIdLength = size(this.aIdLength, n);
    this.aFactory = size(this.aFactory, n);
    this.aLineIndex = size(this.aLineIndex, n);
    this.aCents = size(this.aCents, n);
    this.aStatus = size(this.aStatus, n);
    this.aTransfer = size(this.aTransfer, n);
    this.aNext = size(this.aNext, n);
  }

  private sizeTransactions(n: number, size: Resize) {
    this.tItems = size(this.tItems, n);
    this.tHeader = size(this.tHeader, n);
    this.tOrder = size(this.tOrder, n);
    this.tEntryCount = size(this.tEntryCount, n);
    this.tSeen = size(this.tSeen, n);
    this.tEntries = size(this.tEntries, n);
    this.tMaxIndex = size(this.tMaxIndex, n);
    this.tDebit = size(this.tDebit, n);
    this.tCredit = size(this.tCredit, n);
    this.tHeaderDebit = size(this.tHeaderDebit, n);
    this.tHeaderCredit = size(this.tHeaderCredit, n);
    this.tHeaderOk = size(this.tHeaderOk, n);
    this.tReverses = size(this.tReverses, n);
    this.tFile = size(this.tFile, n);
    this.tLine = size(this.tLine, n);
  }

  private order(index: number): number {
    if (this.orderIds.added) {
      if (index >= this.oSeen.length) {
        this.sizeOrders(index + 1, grow);
      }
      this.oStatus[index] = -1;
      this.oIncoterm[index] = -1;
      this.oDestination[index] = -1;
      this.oCatalogue[index] = -1;
      this.oPriceList[index] = -1;
      this.oAllocationHead[index] = -1;
    }
    return index;
  }

  private tx(index: number): number {
    if (this.txIds.added) {
      if (index >= this.tItems.length) {
        this.sizeTransactions(index + 1, grow);
      }
      this.tEntryCount[index] = -1;
      this.tMaxIndex[index] = -1;
      this.tReverses[index] = -1;
    }
    return index;
  }

  private factory(index: number): number {
    if (this.factoryIds.added && index >= this.fLedger.length) {
      this.fLedger = grow(this.fLedger, index + 1);
      this.fInLedger = grow(this.fInLedger, index + 1);
    }
    return index;
  }

  /** First item of a transaction: it belongs to the order of that item's key. */
  private touchTx(tx: number, order: number, file: number, line: number) {
    if (this.tItems[tx] === 0) {
      this.tItems[tx] = 1;
      this.tOrder[tx] = order;
      this.tFile[tx] = file;
      this.tLine[tx] = line;
    }
  }

  // ── ledger ──

  private header(
    tx: number,
    order: number,
    entryCount: number,
    debit: number | undefined,
    credit: number | undefined,
    reverses: number,
    file: number,
    line: number,
  ): boolean {
    this.touchTx(tx, order, file, line);
    if (this.tHeader[tx]) return false;
    this.tHeader[tx] = 1;
    this.tFile[tx] = file;
    this.tLine[tx] = line;
    this.tEntryCount[tx] = entryCount | 0;
    if ((entryCount | 0) !== entryCount) this.entryCountOdd.set(tx, entryCount);
    let ok = 0;
    if (debit !== undefined) {
      this.tHeaderDebit[tx] = debit;
      ok |= HEADER_DEBIT_OK;
    }
    if (credit !== undefined) {
      this.tHeaderCredit[tx] = credit;
      ok |= HEADER_CREDIT_OK;
    }
    this.tHeaderOk[tx] = ok;
    this.tReverses[tx] = reverses;
    return true;
  }

  /** Marks entry `index` of the transaction seen; false when it was seen before (a duplicated item). */
  private entrySeen(tx: number, order: number, index: number, file: number, line: number): boolean {
    this.touchTx(tx, order, file, line);
    if (index < 30) {
      const bit = 1 << index;
      if ((this.tSeen[tx] as number) & bit) return false;
      this.tSeen[tx] = (this.tSeen[tx] as number) | bit;
    } else {
      const high = this.seenHigh.get(tx) ?? new Int32Array(3);
      this.seenHigh.set(tx, high);
      const word = Math.floor(index / 30) - 1;
      const bit = 1 << (index % 30);
      if ((high[word] as number) & bit) return false;
      high[word] = (high[word] as number) | bit;
    }
    this.tEntries[tx] = (this.tEntries[tx] as number) + 1;
    if (index > (this.tMaxIndex[tx] as number)) this.tMaxIndex[tx] = index;
    return true;
  }

  /** The header's entryCount as it was read. */
  entryCount(tx: number): number {
    return this.entryCountOdd.get(tx) ?? (this.tEntryCount[tx] as number);
  }

  private post(tx: number, side: 0 | 1, cents: number) {
    if (side === 0) this.tDebit[tx] = addCents(this.tDebit[tx] as number, cents);
    else this.tCredit[tx] = addCents(this.tCredit[tx] as number, cents);
  }

  private postReceivable(order: number, side: 0 | 1, cents: number) {
    this.oReceivable[order] = addCents(this.oReceivable[order] as number, side === 0 ? cents : -cents);
  }

  private postPayable(order: number, factory: number, side: 0 | 1, cents: number) {
    const signed = side === 1 ? cents : -cents;
    this.oPayable[order] = addCents(this.oPayable[order] as number, signed);
    this.fLedger[factory] = addCents(this.fLedger[factory] as number, signed);
    this.fInLedger[factory] = 1;
  }

  // ── batches ──

  /**
   * Items of one order (and of one transaction) sit next to each other in an export (a partition is written
   * together), so the previous record's id is compared first: most records skip the hash table altogether.
   */
  private lastBytes: Uint8Array | undefined;
  private lastOrder = { offset: 0, length: 0, index: -1 };
  private lastTx = { offset: 0, length: 0, index: -1 };

  private orderAt(bytes: Uint8Array, offset: number, length: number): number {
    const last = this.lastOrder;
    if (last.index !== -1 && bytes === this.lastBytes && sameBytes(bytes, last.offset, last.length, offset, length)) {
      last.offset = offset;
      return last.index;
    }
    last.index = this.order(this.orderIds.intern(bytes, offset, length));
    last.offset = offset;
    last.length = length;
    this.lastBytes = bytes;
    return last.index;
  }

  private txAt(bytes: Uint8Array, offset: number, length: number): number {
    const last = this.lastTx;
    if (last.index !== -1 && bytes === this.lastBytes && sameBytes(bytes, last.offset, last.length, offset, length)) {
      last.offset = offset;
      return last.index;
    }
    last.index = this.tx(this.txIds.intern(bytes, offset, length));
    last.offset = offset;
    last.length = length;
    this.lastBytes = bytes;
    return last.index;
  }

  consume(table: 'ledger' | 'orders', file: number, batch: RecordBatch) {
    const { ints, nums, bytes } = batch;
    // A new batch: the remembered offsets point into the previous one.
    this.lastOrder.index = -1;
    this.lastTx.index = -1;
    this.lastBytes = bytes;
    const text = (offset: number, length: number) =>
      Buffer.from(bytes.buffer, bytes.byteOffset + offset, length).toString('utf8');
    let i = 0;
    let n = 0;
    const count = batch.intCount;
    while (i < count) {
      const kind = ints[i++] as number;
      const line = ints[i++] as number;
      switch (kind) {
        case RecordKind.entry: {
          const oOff = ints[i++] as number;
          const oLen = ints[i++] as number;
          const tOff = ints[i++] as number;
          const tLen = ints[i++] as number;
          const index = ints[i++] as number;
          const side = ints[i++] as 0 | 1;
          const account = ints[i++] as number;
          const fOff = ints[i++] as number;
          const fLen = ints[i++] as number;
          const cents = nums[n++] as number;
          const order = this.orderAt(bytes, oOff, oLen);
          const tx = this.txAt(bytes, tOff, tLen);
          if (!this.entrySeen(tx, order, index, file, line)) {
            const key = `ORDER#${text(oOff, oLen)} TX#${text(tOff, tLen)}#E#${String(index).padStart(3, '0')}`;
            throw this.duplicate('ledger', file, line, key);
          }
          if (this.tOrder[tx] !== order) {
            // The transaction began under another order's key: as the generic reader would, call it malformed.
            const txOrderId = this.orderIds.text(this.tOrder[tx] as number);
            const orderId = text(oOff, oLen);
            this.flag({
              kind: 'malformed-entry',
              subject: `ORDER#${orderId} TX#${text(tOff, tLen)}#E#${String(index).padStart(3, '0')}`,
              orderId: txOrderId,
              transactionId: text(tOff, tLen),
              where: this.where('ledger', file, line),
              message: `entry needs a 2-decimal amountUsd, side DEBIT|CREDIT and its order's id (got ${centsToUsd(cents)}, ${side === 0 ? 'DEBIT' : 'CREDIT'}, ${orderId})`,
            });
            break;
          }
          this.post(tx, side, cents);
          if (account === Account.RECEIVABLE) this.postReceivable(order, side, cents);
          else if (account === Account.PAYABLE) {
            this.postPayable(order, this.factory(this.factoryIds.intern(bytes, fOff, fLen)), side, cents);
          }
          break;
        }
        case RecordKind.header: {
          const oOff = ints[i++] as number;
          const oLen = ints[i++] as number;
          const tOff = ints[i++] as number;
          const tLen = ints[i++] as number;
          const entryCount = ints[i++] as number;
          const rOff = ints[i++] as number;
          const rLen = ints[i++] as number;
          const debit = nums[n++] as number;
          const credit = nums[n++] as number;
          const order = this.orderAt(bytes, oOff, oLen);
          const tx = this.txAt(bytes, tOff, tLen);
          const reverses = rOff === -1 ? -1 : this.tx(this.txIds.intern(bytes, rOff, rLen));
          if (!this.header(tx, order, entryCount, debit, credit, reverses, file, line)) {
            throw this.duplicate('ledger', file, line, `ORDER#${text(oOff, oLen)} TX#${text(tOff, tLen)}`);
          }
          break;
        }
        case RecordKind.order: {
          const oOff = ints[i++] as number;
          const oLen = ints[i++] as number;
          const status = this.words.intern(bytes, ints[i++] as number, ints[i++] as number);
          const booked = ints[i++] === 1;
          const order = this.orderAt(bytes, oOff, oLen);
          if (this.oSeen[order]) throw this.duplicate('orders', file, line, `ORDER#${text(oOff, oLen)} ORDER`);
          this.oSeen[order] = 1;
          this.oStatus[order] = status;
          if (booked) {
            this.oBooked[order] = 1;
            this.oIncoterm[order] = this.words.intern(bytes, ints[i++] as number, ints[i++] as number);
            const dOff = ints[i++] as number;
            const dLen = ints[i++] as number;
            this.oDestination[order] = dOff === -1 ? -1 : this.words.intern(bytes, dOff, dLen);
            this.oCatalogue[order] = this.words.intern(bytes, ints[i++] as number, ints[i++] as number);
            this.oPriceList[order] = this.words.intern(bytes, ints[i++] as number, ints[i++] as number);
            const lines = ints[i++] as number;
            this.oLineStart[order] = this.lineCount;
            this.oLineCount[order] = lines;
            for (let l = 0; l < lines; l++) {
              const grade = this.words.intern(bytes, ints[i++] as number, ints[i++] as number);
              const coating = this.words.intern(bytes, ints[i++] as number, ints[i++] as number);
              this.addLine(grade, coating, ints[i++] as number);
            }
          }
          break;
        }
        case RecordKind.allocation: {
          const oOff = ints[i++] as number;
          const oLen = ints[i++] as number;
          const aOff = ints[i++] as number;
          const aLen = ints[i++] as number;
          const factory = this.factory(this.factoryIds.intern(bytes, ints[i++] as number, ints[i++] as number));
          const lineIndex = ints[i++] as number;
          i++; // quantityKg: already in the cents
          const status = this.words.intern(bytes, ints[i++] as number, ints[i++] as number);
          const transfer = this.words.intern(bytes, ints[i++] as number, ints[i++] as number);
          const cents = nums[n++] as number;
          const order = this.orderAt(bytes, oOff, oLen);
          if (!this.addAllocation(order, bytes, aOff, aLen, factory, lineIndex, cents, status, transfer)) {
            throw this.duplicate('orders', file, line, `ORDER#${text(oOff, oLen)} ALLOC#${text(aOff, aLen)}`);
          }
          break;
        }
        case RecordKind.other: {
          const pOff = ints[i++] as number;
          const pLen = ints[i++] as number;
          const sOff = ints[i++] as number;
          const sLen = ints[i++] as number;
          this.otherKeys.internPair(bytes, pOff, pLen, sOff, sLen);
          if (!this.otherKeys.added) {
            throw this.duplicate('orders', file, line, `${text(pOff, pLen)} ${text(sOff, sLen)}`);
          }
          break;
        }
        case RecordKind.plain: {
          const plain = batch.plains[ints[i++] as number];
          if (!plain) throw new Error('record batch out of step with its plain items');
          if (table === 'ledger') this.ledgerItem(plain.item, file, line);
          else this.ordersItem(plain.item, file, line);
          break;
        }
        default:
          throw new Error(`unknown record kind ${kind}`);
      }
    }
  }

  private addLine(grade: number, coating: number, quantityKg: number) {
    const l = this.lineCount++;
    if (l >= this.lGrade.length) {
      this.sizeLines(l + 1, grow);
    }
    this.lGrade[l] = grade;
    this.lCoating[l] = coating;
    this.lQuantity[l] = quantityKg;
  }

  /** Adds an allocation of the order; false when the order already has one with this id (a duplicated item). */
  private addAllocation(
    order: number,
    idBytes: Uint8Array,
    idOffset: number,
    idLength: number,
    factory: number,
    lineIndex: number,
    cents: number,
    status: number,
    transfer: number,
  ): boolean {
    for (let other = this.oAllocationHead[order] as number; other !== -1; other = this.aNext[other] as number) {
      if (this.aIdLength[other] !== idLength) continue;
      const start = this.aIdStart[other] as number;
      let same = true;
      for (let i = 0; i < idLength; i++) {
        if (this.aIdArena[start + i] !== idBytes[idOffset + i]) {
          same = false;
          break;
        }
      }
      if (same) return false;
    }
    const a = this.allocationCount++;
    if (a >= this.aIdStart.length) {
      this.sizeAllocations(a + 1, grow);
    }
    this.aIdArena = grow(this.aIdArena, this.aIdUsed + idLength);
    for (let i = 0; i < idLength; i++) this.aIdArena[this.aIdUsed + i] = idBytes[idOffset + i] as number;
    this.aIdStart[a] = this.aIdUsed;
    this.aIdLength[a] = idLength;
    this.aIdUsed += idLength;
    this.aFactory[a] = factory;
    this.aLineIndex[a] = lineIndex;
    this.aCents[a] = cents;
    this.aStatus[a] = status;
    this.aTransfer[a] = transfer;
    this.aNext[a] = this.oAllocationHead[order] as number;
    this.oAllocationHead[order] = a;
    return true;
  }

  /** The allocation id of allocation `a`. */
  allocationId(a: number): string {
    const start = this.aIdStart[a] as number;
    return Buffer.from(this.aIdArena.buffer, this.aIdArena.byteOffset + start, this.aIdLength[a]).toString('utf8');
  }

  // ── items the generic reader parsed: the same rules, from plain values ──

  private ledgerItem(item: PlainItem, file: number, line: number) {
    const pk = item.pk;
    const sk = item.sk;
    if (typeof pk !== 'string' || typeof sk !== 'string' || !pk.startsWith('ORDER#') || !sk.startsWith('TX#')) {
      throw new ExportInputError(this.fileNames.ledger[file] ?? '?', line, 'not a ledger item (pk ORDER#…, sk TX#…)');
    }
    const transactionId = String(item.transactionId);
    const order = this.order(this.orderIds.internString(pk.slice(6)));
    const tx = this.tx(this.txIds.internString(transactionId));
    if (item.type === 'transaction') {
      const reverses =
        typeof item.reversesTransactionId === 'string'
          ? this.tx(this.txIds.internString(item.reversesTransactionId))
          : -1;
      const fresh = this.header(
        tx,
        order,
        Number(item.entryCount),
        toCents(item.debitUsd),
        toCents(item.creditUsd),
        reverses,
        file,
        line,
      );
      if (!fresh) throw this.duplicate('ledger', file, line, `${pk} ${sk}`);
      return;
    }
    this.touchTx(tx, order, file, line);
    const at = () => this.where('ledger', file, line);
    const index = Number(item.entryIndex);
    if (!Number.isInteger(index) || index < 0 || index > 119 || !sk.endsWith(`#E#${String(index).padStart(3, '0')}`)) {
      this.flag({
        kind: 'malformed-entry',
        subject: `${pk} ${sk}`,
        transactionId,
        where: at(),
        message: `entryIndex ${String(item.entryIndex)} does not match the key`,
      });
      return;
    }
    if (!this.entrySeen(tx, order, index, file, line)) throw this.duplicate('ledger', file, line, `${pk} ${sk}`);
    // The transaction's order is the one of its first item's key.
    const txOrder = this.tOrder[tx] as number;
    const txOrderId = this.orderIds.text(txOrder);
    const cents = toCents(item.amountUsd);
    const side = item.side;
    const account = item.account;
    if (cents === undefined || (side !== 'DEBIT' && side !== 'CREDIT') || item.orderId !== txOrderId) {
      this.flag({
        kind: 'malformed-entry',
        subject: `${pk} ${sk}`,
        orderId: txOrderId,
        transactionId,
        where: at(),
        message: `entry needs a 2-decimal amountUsd, side DEBIT|CREDIT and its order's id (got ${String(item.amountUsd)}, ${String(side)}, ${String(item.orderId)})`,
      });
      return;
    }
    const sideCode = side === 'DEBIT' ? 0 : 1;
    this.post(tx, sideCode, cents);
    if (account === ledgerAccounts.receivable) this.postReceivable(txOrder, sideCode, cents);
    else if (account === ledgerAccounts.payable && typeof item.factoryId === 'string') {
      this.postPayable(txOrder, this.factory(this.factoryIds.internString(item.factoryId)), sideCode, cents);
    } else if (account !== ledgerAccounts.margin) {
      this.flag({
        kind: 'malformed-entry',
        subject: `${pk} ${sk}`,
        orderId: txOrderId,
        transactionId,
        where: at(),
        message: `unknown account ${String(account)}${account === ledgerAccounts.payable ? ' or payable without factoryId' : ''}`,
      });
    }
  }

  private ordersItem(item: PlainItem, file: number, line: number) {
    const pk = item.pk;
    const sk = item.sk;
    if (typeof pk !== 'string' || typeof sk !== 'string') {
      throw new ExportInputError(this.fileNames.orders[file] ?? '?', line, 'item without string pk/sk');
    }
    if (pk.startsWith('ORDER#') && sk === 'ORDER') {
      const order = this.order(this.orderIds.internString(pk.slice(6)));
      if (this.oSeen[order]) throw this.duplicate('orders', file, line, `${pk} ${sk}`);
      this.oSeen[order] = 1;
      const status = String(item.status);
      this.oStatus[order] = this.words.internString(status);
      if ((bookedOrderStatuses as readonly string[]).includes(status)) {
        this.oBooked[order] = 1;
        const body = item.order as { lines?: unknown[]; incoterm?: unknown; destinationCountry?: unknown } | undefined;
        const versions = item.rules as { catalogue?: unknown; priceList?: unknown } | undefined;
        const word = (value: unknown) => (value === undefined ? -1 : this.words.internString(String(value)));
        this.oIncoterm[order] = word(body?.incoterm);
        this.oDestination[order] = word(body?.destinationCountry);
        this.oCatalogue[order] = word(versions?.catalogue);
        this.oPriceList[order] = word(versions?.priceList);
        const lines = (body?.lines ?? []) as { grade?: unknown; coating?: unknown; quantityKg?: unknown }[];
        this.oLineStart[order] = this.lineCount;
        this.oLineCount[order] = lines.length;
        for (const l of lines) this.addLine(word(l?.grade), word(l?.coating), Number(l?.quantityKg));
      }
    } else if (pk.startsWith('ORDER#') && sk.startsWith('ALLOC#')) {
      const order = this.order(this.orderIds.internString(pk.slice(6)));
      const idBytes = Buffer.from(sk.slice(6), 'utf8');
      const price = String(item.transferUnitPriceUsdPerKg);
      const unitCents = toCents(/^\d+\.\d{2}$/.test(price) ? price : `${price}.00`);
      const quantityKg = Number(item.quantityKg);
      const amount = unitCents === undefined || !Number.isInteger(quantityKg) ? -1 : unitCents * quantityKg;
      const lineIndex = Number(item.lineIndex);
      const added = this.addAllocation(
        order,
        idBytes,
        0,
        idBytes.length,
        this.factory(this.factoryIds.internString(String(item.factoryId))),
        Number.isInteger(lineIndex) && lineIndex >= 0 && lineIndex < 2 ** 31 ? lineIndex : -1,
        Number.isSafeInteger(amount) ? amount : -1,
        this.words.internString(String(item.status)),
        this.words.internString(price),
      );
      if (!added) throw this.duplicate('orders', file, line, `${pk} ${sk}`);
    } else if (pk === 'RULES#catalogue' || pk === 'RULES#priceList') {
      const kind = pk === 'RULES#catalogue' ? 'catalogue' : 'priceList';
      const version = String(item.version);
      if (this.rules[kind].has(version)) throw this.duplicate('orders', file, line, `${pk} ${sk}`);
      this.rules[kind].set(version, item.document);
    } else {
      this.otherKeys.internString(`${pk}\u0000${sk}`);
      if (!this.otherKeys.added) throw this.duplicate('orders', file, line, `${pk} ${sk}`);
    }
  }
}

export { HEADER_CREDIT_OK, HEADER_DEBIT_OK };
