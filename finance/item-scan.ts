/**
 * The fast path of reading an export line: a byte-level DynamoDB-JSON validator that pulls out only the fields
 * reconcile needs into a compact record batch. Anything outside the canonical form AWS writes (whitespace, escaped
 * names, unusual types, missing or malformed fields, non-ledger keys…) is not judged here: the line goes to the
 * generic reader (JSON.parse + parseItemLine), which accepts it or names the file and line, exactly as before.
 */
import { grow } from './interner';
import type { PlainItem } from './item-json';

// ── record batch: what a decoder hands to the books (in the same thread, or posted from a worker) ──

export enum RecordKind {
  /** line, orderId, transactionId, entryCount, reverses(off −1 = none) | nums: debit cents, credit cents */
  header = 1,
  /** line, orderId, transactionId, entryIndex, side (0 DEBIT, 1 CREDIT), account (0 receivable, 1 payable, 2 margin), factoryId (off −1 = none) | nums: cents */
  entry = 2,
  /** line, orderId, status, booked; if booked: incoterm, destinationCountry (off −1 = none), catalogue, priceList, lineCount, (grade, coating, quantityKg)… */
  order = 3,
  /** line, orderId, allocationId, factoryId, lineIndex, quantityKg, status, transferUnitPrice | nums: cents */
  allocation = 4,
  /** line, pk, sk: any other orders-table item (only its key matters: duplicates) */
  other = 5,
  /** line, index into `plains`: a line the generic reader parsed */
  plain = 6,
}

/**
 * Strings are (offset, length) pairs into `bytes`; money is integer cents in `nums` (safe integers, never fractions).
 * The arrays are the writer's own (larger than used): the consumer hands them back with recycle(), so a long read
 * does not leave a trail of dead buffers for the garbage collector.
 */
export interface RecordBatch {
  /** Records run to intCount; the arrays may be longer. */
  intCount: number;
  ints: Int32Array;
  nums: Float64Array;
  bytes: Uint8Array;
  plains: { line: number; item: PlainItem }[];
  /** Lines (items) the batch covers. */
  items: number;
}

export class BatchWriter {
  ints: Int32Array = new Int32Array(1 << 14);
  nums: Float64Array = new Float64Array(1 << 12);
  bytes: Uint8Array = new Uint8Array(1 << 17);
  plains: { line: number; item: PlainItem }[] = [];
  intCount = 0;
  numCount = 0;
  byteCount = 0;
  items = 0;

  int(value: number) {
    if (this.intCount === this.ints.length) this.ints = grow(this.ints, this.intCount + 1);
    this.ints[this.intCount++] = value;
  }

  num(value: number) {
    if (this.numCount === this.nums.length) this.nums = grow(this.nums, this.numCount + 1);
    this.nums[this.numCount++] = value;
  }

  /** Copies src[start … end) into the batch and records (offset, length). */
  str(src: Uint8Array, start: number, end: number) {
    const length = end - start;
    if (this.byteCount + length > this.bytes.length) this.bytes = grow(this.bytes, this.byteCount + length);
    // A loop rather than set(subarray(…)): ids are short, and a subarray is an object per string.
    const bytes = this.bytes;
    const at = this.byteCount;
    for (let i = 0; i < length; i++) bytes[at + i] = src[start + i] as number;
    this.int(this.byteCount);
    this.int(length);
    this.byteCount += length;
  }

  private spares: { ints: Int32Array; nums: Float64Array; bytes: Uint8Array }[] = [];

  /** The batch so far, in the writer's own arrays (safe to transfer); the writer goes on in a spare set. */
  take(): RecordBatch {
    const batch: RecordBatch = {
      intCount: this.intCount,
      ints: this.ints,
      nums: this.nums,
      bytes: this.bytes,
      plains: this.plains,
      items: this.items,
    };
    const spare = this.spares.pop();
    this.ints = spare?.ints ?? new Int32Array(1 << 14);
    this.nums = spare?.nums ?? new Float64Array(1 << 12);
    this.bytes = spare?.bytes ?? new Uint8Array(1 << 17);
    this.plains = [];
    this.intCount = 0;
    this.numCount = 0;
    this.byteCount = 0;
    this.items = 0;
    return batch;
  }

  /** A consumed batch's arrays, for reuse. */
  recycle(arrays: { ints: Int32Array; nums: Float64Array; bytes: Uint8Array }) {
    if (this.spares.length < 8) this.spares.push(arrays);
  }
}

/**
 * A batch's records as plain values, strings decoded (for tests and debugging; the books read batches in place):
 * [kind, line, …fields in the order RecordKind documents, …nums]. An absent string (offset −1) is null.
 */
export function readRecords(batch: RecordBatch): (number | string | null)[][] {
  const { ints, nums, bytes } = batch;
  const records: (number | string | null)[][] = [];
  let i = 0;
  let n = 0;
  const int = () => ints[i++] as number;
  const str = () => {
    const offset = int();
    const length = int();
    return offset === -1 ? null : Buffer.from(bytes.buffer, bytes.byteOffset + offset, length).toString('utf8');
  };
  while (i < batch.intCount) {
    const kind = int();
    const record: (number | string | null)[] = [kind, int()];
    if (kind === RecordKind.header) record.push(str(), str(), int(), str(), nums[n++] as number, nums[n++] as number);
    else if (kind === RecordKind.entry) record.push(str(), str(), int(), int(), int(), str(), nums[n++] as number);
    else if (kind === RecordKind.order) {
      record.push(str(), str());
      const booked = int();
      record.push(booked);
      if (booked) {
        record.push(str(), str(), str(), str());
        const lines = int();
        record.push(lines);
        for (let l = 0; l < lines; l++) record.push(str(), str(), int());
      }
    } else if (kind === RecordKind.allocation) {
      record.push(str(), str(), str(), int(), int(), str(), str(), nums[n++] as number);
    } else if (kind === RecordKind.other) record.push(str(), str());
    else if (kind === RecordKind.plain) record.push(JSON.stringify(batch.plains[int()]?.item));
    else throw new Error(`unknown record kind ${kind}`);
    records.push(record);
  }
  return records;
}

/**
 * The scanner's state and helpers live in this function's scope, not the module's: a bundle turns top-level consts
 * into vars, which the optimizing compiler must reload on every use; consts inside a function stay consts (measured:
 * the bundled decoder ≈ 14 % faster so).
 */
function createScanner() {
  // ── the tape: one node per attribute value of the current line ──

  /**
   * Numbers the scanner compares against, as enums: esbuild inlines enum members as literals (measured: the bundled
   * decoder ≈ 5 % faster than with top-level consts, which a bundle turns into vars).
   */
  enum T {
    S = 1,
    N = 2,
    B = 3,
    BOOL = 4,
    NULL = 5,
    SET = 6,
    L = 7,
    M = 8,
  }

  enum Tape {
    /** Per node: nameStart, nameEnd, type, valueStart, valueEnd, firstChild, nextSibling, plain (S only). */
    STRIDE = 8,
    MAX_NODES = 8192,
    /** Open containers at most. */
    MAX_DEPTH = 64,
  }
  const tape = new Int32Array(Tape.MAX_NODES * Tape.STRIDE);

  enum Byte {
    DQ = 34,
    BACKSLASH = 92,
    COLON = 58,
    COMMA = 44,
    LBRACE = 123,
    RBRACE = 125,
    LBRACKET = 91,
    RBRACKET = 93,
  }

  enum Class {
    QUOTE = 1,
    ESCAPE = 2,
    CONTROL = 3,
    HIGH = 4,
  }
  /** What each byte means inside a JSON string: one table load per byte instead of four comparisons. */
  const byteClass = new Uint8Array(256);
  byteClass.fill(Class.CONTROL, 0, 32);
  byteClass.fill(Class.HIGH, 127, 256);
  byteClass[Byte.DQ] = Class.QUOTE;
  byteClass[Byte.BACKSLASH] = Class.ESCAPE;

  /**
   * Scans the JSON string whose opening quote is at `at`. Returns (index of the closing quote) × 2 + 1 when the string
   * is plain (printable ASCII, no escapes), × 2 when valid but not plain, and −1 when it is not a valid JSON string.
   */
  function scanString(b: Uint8Array, at: number, stop: number): number {
    const classes = byteClass;
    let i = at + 1;
    let plain = 1;
    for (;;) {
      if (i >= stop) return -1;
      const kind = classes[b[i] as number] as number;
      if (kind === 0) {
        i++;
        continue;
      }
      if (kind === Class.QUOTE) return i * 2 + plain;
      if (kind === Class.HIGH) {
        plain = 0;
        i++;
        continue;
      }
      if (kind === Class.CONTROL) return -1;
      // a backslash
      plain = 0;
      const next = b[i + 1];
      if (next === 117) {
        if (!isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4]) || !isHex(b[i + 5])) return -1;
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (
        next === 34 ||
        next === 92 ||
        next === 47 ||
        next === 98 ||
        next === 102 ||
        next === 110 ||
        next === 114 ||
        next === 116
      ) {
        i += 2;
        continue;
      }
      return -1;
    }
  }

  function isHex(c: number | undefined): boolean {
    return c !== undefined && ((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102));
  }

  /** DynamoDB's N: -?digits(.digits)?(e[+-]?digits)? — the same pattern the generic reader checks. */
  function isNumber(b: Uint8Array, start: number, stop: number): boolean {
    let i = start;
    if (b[i] === 45) i++;
    const digitsFrom = i;
    while (i < stop && isDigit(b[i])) i++;
    if (i === digitsFrom) return false;
    if (i < stop && b[i] === 46) {
      i++;
      const fractionFrom = i;
      while (i < stop && isDigit(b[i])) i++;
      if (i === fractionFrom) return false;
    }
    if (i < stop && (b[i] === 101 || b[i] === 69)) {
      i++;
      if (b[i] === 43 || b[i] === 45) i++;
      const exponentFrom = i;
      while (i < stop && isDigit(b[i])) i++;
      if (i === exponentFrom) return false;
    }
    return i === stop;
  }

  function isDigit(c: number | undefined): boolean {
    return c !== undefined && c >= 48 && c <= 57;
  }

  /** The type tag between the quotes at [start, stop): T_* or 0. */
  function typeTag(b: Uint8Array, start: number, stop: number): number {
    const t0 = b[start];
    const length = stop - start;
    if (length === 1) {
      if (t0 === 83) return T.S;
      if (t0 === 78) return T.N;
      if (t0 === 77) return T.M;
      if (t0 === 76) return T.L;
      if (t0 === 66) return T.B;
      return 0;
    }
    if (length === 2) return b[start + 1] === 83 && (t0 === 83 || t0 === 78 || t0 === 66) ? T.SET : 0;
    if (length === 4) {
      const t1 = b[start + 1];
      const t2 = b[start + 2];
      const t3 = b[start + 3];
      if (t0 === 66 && t1 === 79 && t2 === 79 && t3 === 76) return T.BOOL;
      if (t0 === 78 && t1 === 85 && t2 === 76 && t3 === 76) return T.NULL;
    }
    return 0;
  }

  const isTrue = (b: Uint8Array, p: number) => b[p] === 116 && b[p + 1] === 114 && b[p + 2] === 117 && b[p + 3] === 101;
  const isFalse = (b: Uint8Array, p: number) =>
    b[p] === 102 && b[p + 1] === 97 && b[p + 2] === 108 && b[p + 3] === 115 && b[p + 4] === 101;

  /** Open containers (M or L nodes) while parsing, innermost last. */
  const openNodes = new Int32Array(Tape.MAX_DEPTH);
  const lastChildren = new Int32Array(Tape.MAX_DEPTH);

  /**
   * Validates the whole line as `{"Item":{…DynamoDB JSON…}}` in the canonical form (no whitespace, plain member
   * names) and records every attribute value on the tape; the Item's map is node 0. One loop with an explicit stack,
   * so the per-byte work stays in registers.
   */
  function parseLine(b: Uint8Array, start: number, stop: number, top: Wanted): boolean {
    const topSlots = top.bucketSlot;
    const topNames = top.list;
    const found = fields;
    for (let k = top.count - 1; k >= 0; k--) found[k] = -1;
    // {"Item":{
    if (
      stop - start < 11 ||
      b[start] !== Byte.LBRACE ||
      b[start + 1] !== Byte.DQ ||
      b[start + 2] !== 73 ||
      b[start + 3] !== 116 ||
      b[start + 4] !== 101 ||
      b[start + 5] !== 109 ||
      b[start + 6] !== Byte.DQ ||
      b[start + 7] !== Byte.COLON ||
      b[start + 8] !== Byte.LBRACE
    ) {
      return false;
    }
    const t = tape;
    const stackNode = openNodes;
    const stackLast = lastChildren;
    t[2] = T.M;
    t[3] = start + 8;
    t[5] = -1;
    t[6] = -1;
    let nodeCount = 1;
    let p = start + 9;
    let depth = 0;
    stackNode[0] = 0;
    stackLast[0] = -1;
    let inMap = true;
    if (b[p] === Byte.RBRACE) {
      t[4] = p + 1;
      return b[p + 1] === Byte.RBRACE && p + 2 === stop;
    }
    for (;;) {
      // ── one member (name:attribute) of a map, or one element (attribute) of a list
      let nameStart = -1;
      let nameEnd = -1;
      if (inMap) {
        const s = scanString(b, p, stop);
        // Only plain names: an escaped name could spell the same name as another (JSON.parse keeps the last).
        if (s < 0 || (s & 1) === 0) return false;
        nameStart = p + 1;
        nameEnd = s >> 1;
        p = nameEnd + 1;
        if (b[p] !== Byte.COLON) return false;
        p++;
        if (depth === 0) {
          // A wanted top-level name: the node about to be made is its value (the last one wins, as in JSON.parse).
          const length = nameEnd - nameStart;
          const slot = topSlots[nameKey(length, b[nameStart] as number, b[nameEnd - 1] as number)] as number;
          if (slot >= 0) {
            const name = topNames[slot] as Uint8Array;
            let i = 0;
            if (name.length === length) while (i < length && name[i] === b[nameStart + i]) i++;
            if (i === length && name.length === length) found[slot] = nodeCount;
          }
        }
      }
      if (b[p] !== Byte.LBRACE || b[p + 1] !== Byte.DQ) return false;
      let type: number;
      if (b[p + 3] === Byte.DQ) {
        // the one-letter tags, the common case: {"S": {"N": {"M": {"L": {"B":
        type = typeTag(b, p + 2, p + 3);
        p += 4;
      } else {
        const tagEnd = scanString(b, p + 1, stop);
        if (tagEnd < 0) return false;
        type = typeTag(b, p + 2, tagEnd >> 1);
        p = (tagEnd >> 1) + 1;
      }
      if (type === 0 || b[p] !== Byte.COLON || nodeCount === Tape.MAX_NODES) return false;
      p++;
      const node = nodeCount++;
      const at = node * Tape.STRIDE;
      t[at] = nameStart;
      t[at + 1] = nameEnd;
      t[at + 2] = type;
      t[at + 5] = -1;
      t[at + 6] = -1;
      const previous = stackLast[depth] as number;
      if (previous === -1) t[(stackNode[depth] as number) * Tape.STRIDE + 5] = node;
      else t[previous * Tape.STRIDE + 6] = node;
      stackLast[depth] = node;
      if (type === T.S || type === T.B || type === T.N) {
        if (b[p] !== Byte.DQ) return false;
        const s = scanString(b, p, stop);
        if (s < 0) return false;
        const close = s >> 1;
        t[at + 3] = p + 1;
        t[at + 4] = close;
        t[at + 7] = s & 1;
        if (type === T.N && ((s & 1) === 0 || !isNumber(b, p + 1, close))) return false;
        p = close + 1;
      } else if (type === T.BOOL || type === T.NULL) {
        t[at + 3] = p;
        if (isTrue(b, p)) p += 4;
        else if (type === T.BOOL && isFalse(b, p)) p += 5;
        else return false;
        t[at + 4] = p;
      } else if (type === T.SET) {
        if (b[p] !== Byte.LBRACKET) return false;
        t[at + 3] = p;
        p++;
        if (b[p] !== Byte.RBRACKET) {
          for (;;) {
            if (b[p] !== Byte.DQ) return false;
            const s = scanString(b, p, stop);
            if (s < 0) return false;
            p = (s >> 1) + 1;
            if (b[p] === Byte.COMMA) p++;
            else break;
          }
        }
        if (b[p] !== Byte.RBRACKET) return false;
        p++;
        t[at + 4] = p;
      } else {
        // M or L: empty ones close at once; others are entered.
        const open = type === T.M ? Byte.LBRACE : Byte.LBRACKET;
        const close = type === T.M ? Byte.RBRACE : Byte.RBRACKET;
        if (b[p] !== open) return false;
        t[at + 3] = p;
        if (b[p + 1] === close) {
          p += 2;
          t[at + 4] = p;
        } else {
          if (depth + 1 === Tape.MAX_DEPTH) return false;
          depth++;
          stackNode[depth] = node;
          stackLast[depth] = -1;
          inMap = type === T.M;
          p++;
          continue;
        }
      }
      // the attribute's wrapper closes
      if (b[p] !== Byte.RBRACE) return false;
      p++;
      // ── after a value: the next member/element, or the end of containers
      for (;;) {
        const c = b[p];
        if (c === Byte.COMMA) {
          p++;
          break;
        }
        if (c !== (inMap ? Byte.RBRACE : Byte.RBRACKET)) return false;
        p++;
        const container = stackNode[depth] as number;
        t[container * Tape.STRIDE + 4] = p;
        if (depth === 0) return b[p] === Byte.RBRACE && p + 1 === stop;
        depth--;
        inMap = t[(stackNode[depth] as number) * Tape.STRIDE + 2] === T.M;
        // the container's own wrapper closes
        if (b[p] !== Byte.RBRACE) return false;
        p++;
      }
    }
  }

  // ── field access on the tape ──

  const names = (...list: string[]) => list.map((name) => Buffer.from(name, 'latin1'));

  /** A set of attribute names to pick out of a map: a child is rejected on its name's length and first byte. */
  /** A name's bucket in a Wanted's table: its length and first and last bytes. */
  const nameKey = (length: number, first: number, last: number) => ((length & 31) << 7) | ((first * 3 + last) & 127);

  class Wanted {
    readonly count: number;
    readonly list: Uint8Array[];
    /** By nameKey: the slot of the one wanted name in that bucket, or −1 (two wanted names never share one). */
    readonly bucketSlot = new Int8Array(1 << 12).fill(-1);
    /** For each name length, the names of that length and their slots. */
    private readonly names: (Uint8Array[] | undefined)[] = [];
    private readonly slots: (number[] | undefined)[] = [];
    /** Bit (first byte & 31) set when some wanted name of that length starts with it. */
    private readonly firsts: number[] = [];

    constructor(...list: string[]) {
      this.count = list.length;
      this.list = list.map((text) => Buffer.from(text, 'latin1'));
      this.list.forEach((name, slot) => {
        const key = nameKey(name.length, name[0] as number, name[name.length - 1] as number);
        if (this.bucketSlot[key] !== -1)
          throw new Error(`wanted names share a bucket: ${list[this.bucketSlot[key] as number]}, ${list[slot]}`);
        this.bucketSlot[key] = slot;
      });
      list.forEach((text, slot) => {
        const name = Buffer.from(text, 'latin1');
        const length = name.length;
        this.names[length] = [...(this.names[length] ?? []), name];
        this.slots[length] = [...(this.slots[length] ?? []), slot];
        this.firsts[length] = (this.firsts[length] ?? 0) | (1 << ((name[0] as number) & 31));
      });
      for (let length = 0; length < this.names.length; length++) this.firsts[length] ??= 0;
    }

    /** For each wanted name, the last child of `parent` carrying it (JSON.parse keeps the last), or −1. */
    pick(b: Uint8Array, parent: number, out: Int32Array) {
      out.fill(-1, 0, this.count);
      for (
        let child = tape[parent * Tape.STRIDE + 5] as number;
        child !== -1;
        child = tape[child * Tape.STRIDE + 6] as number
      ) {
        const at = child * Tape.STRIDE;
        const nameStart = tape[at] as number;
        const length = (tape[at + 1] as number) - nameStart;
        const firsts = this.firsts[length];
        if (firsts === undefined || (firsts & (1 << ((b[nameStart] as number) & 31))) === 0) continue;
        const names = this.names[length] as Uint8Array[];
        for (let k = 0; k < names.length; k++) {
          const name = names[k] as Uint8Array;
          let i = 0;
          while (i < length && name[i] === b[nameStart + i]) i++;
          if (i === length) out[(this.slots[length] as number[])[k] as number] = child;
        }
      }
    }
  }

  /** Whether the node is an S whose bytes are its text (printable ASCII, no escapes). */
  function isPlainS(node: number): boolean {
    return node !== -1 && tape[node * Tape.STRIDE + 2] === T.S && tape[node * Tape.STRIDE + 7] === 1;
  }

  const sStart = (node: number) => tape[node * Tape.STRIDE + 3] as number;
  const sEnd = (node: number) => tape[node * Tape.STRIDE + 4] as number;

  function startsWith(b: Uint8Array, node: number, prefix: Uint8Array): boolean {
    const start = sStart(node);
    if (sEnd(node) - start < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (b[start + i] !== prefix[i]) return false;
    return true;
  }

  function spanEquals(b: Uint8Array, start: number, stop: number, text: Uint8Array): boolean {
    if (stop - start !== text.length) return false;
    for (let i = 0; i < text.length; i++) if (b[start + i] !== text[i]) return false;
    return true;
  }

  /** A canonical non-negative integer N (0 or no leading zero, ≤ 9 digits), or −1. */
  function smallInt(b: Uint8Array, node: number): number {
    if (node === -1 || tape[node * Tape.STRIDE + 2] !== T.N) return -1;
    const start = sStart(node);
    const stop = sEnd(node);
    if (stop - start > 9 || (b[start] === 48 && stop - start > 1)) return -1;
    let value = 0;
    for (let i = start; i < stop; i++) {
      const c = b[i] as number;
      if (c < 48 || c > 57) return -1;
      value = value * 10 + (c - 48);
    }
    return value;
  }

  /** "1234.56" (1–13 digits, exactly 2 decimals; with `wholeOk` also "1234", read as 1234.00) as integer cents, or −1. */
  function cents(b: Uint8Array, node: number, wholeOk = false): number {
    if (node === -1 || tape[node * Tape.STRIDE + 2] !== T.S) return -1;
    const start = sStart(node);
    const stop = sEnd(node);
    const hasPoint = stop - start >= 4 && b[stop - 3] === 46;
    if (!hasPoint && !wholeOk) return -1;
    const intEnd = hasPoint ? stop - 3 : stop;
    // No leading zeros: the amount's text must be what centsToUsd would print back.
    if (intEnd - start < 1 || intEnd - start > 13 || (b[start] === 48 && intEnd - start > 1)) return -1;
    let value = 0;
    for (let i = start; i < intEnd; i++) {
      const c = b[i] as number;
      if (c < 48 || c > 57) return -1;
      value = value * 10 + (c - 48);
    }
    if (!hasPoint) return value * 100;
    const d1 = b[stop - 2] as number;
    const d2 = b[stop - 1] as number;
    if (d1 < 48 || d1 > 57 || d2 < 48 || d2 > 57) return -1;
    // At most 15 digits: below 2^53, so the integer is exact.
    return value * 100 + (d1 - 48) * 10 + (d2 - 48);
  }

  // ── extraction per table ──

  const ledgerNames = new Wanted(
    'pk',
    'sk',
    'type',
    'transactionId',
    'entryIndex',
    'account',
    'side',
    'amountUsd',
    'orderId',
    'factoryId',
    'entryCount',
    'debitUsd',
    'creditUsd',
    'reversesTransactionId',
  );
  const [ORDER_HASH, TX_HASH, TRANSACTION_TEXT, DEBIT, CREDIT, RECEIVABLE, PAYABLE, MARGIN, E_HASH] = names(
    'ORDER#',
    'TX#',
    'transaction',
    'DEBIT',
    'CREDIT',
    'buyer-receivable',
    'factory-payable',
    'channel-margin',
    '#E#',
  ) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
  const fields = new Int32Array(16);

  /**
   * A ledger line into the batch; false when the fast path does not apply (the generic reader then decides).
   * Fast-path entries are well formed (known account, 2-decimal amount, side, their order's id, key = TX#<id>#E#<nnn>);
   * every other shape keeps its old treatment (a discrepancy or an input error) through the generic reader.
   */
  function scanLedgerLine(b: Uint8Array, start: number, stop: number, line: number, out: BatchWriter): boolean {
    if (!parseLine(b, start, stop, ledgerNames)) return false;
    const pk = fields[0] as number;
    const sk = fields[1] as number;
    const type = fields[2] as number;
    const tx = fields[3] as number;
    if (
      !isPlainS(pk) ||
      !isPlainS(sk) ||
      !isPlainS(tx) ||
      !startsWith(b, pk, ORDER_HASH) ||
      !startsWith(b, sk, TX_HASH)
    ) {
      return false;
    }
    const txStart = sStart(tx);
    const txEnd = sEnd(tx);
    const skStart = sStart(sk) + 3;
    const txLength = txEnd - txStart;
    // sk must begin TX#<transactionId>
    if (sEnd(sk) - skStart < txLength) return false;
    for (let i = 0; i < txLength; i++) if (b[skStart + i] !== b[txStart + i]) return false;
    const orderStart = sStart(pk) + 6;
    const orderEnd = sEnd(pk);
    if (
      type !== -1 &&
      tape[type * Tape.STRIDE + 2] === T.S &&
      spanEquals(b, sStart(type), sEnd(type), TRANSACTION_TEXT)
    ) {
      if (sEnd(sk) !== skStart + txLength) return false;
      const entryCount = smallInt(b, fields[10] as number);
      const debit = cents(b, fields[11] as number);
      const credit = cents(b, fields[12] as number);
      const reverses = fields[13] as number;
      if (entryCount === -1 || debit === -1 || credit === -1) return false;
      if (reverses !== -1 && tape[reverses * Tape.STRIDE + 2] === T.S && !isPlainS(reverses)) return false;
      out.int(RecordKind.header);
      out.int(line);
      out.str(b, orderStart, orderEnd);
      out.str(b, txStart, txEnd);
      out.int(entryCount);
      if (reverses !== -1 && tape[reverses * Tape.STRIDE + 2] === T.S) out.str(b, sStart(reverses), sEnd(reverses));
      else {
        out.int(-1);
        out.int(0);
      }
      out.num(debit);
      out.num(credit);
      out.items++;
      return true;
    }
    const index = smallInt(b, fields[4] as number);
    // sk must be exactly TX#<transactionId>#E#<index, 3 digits>
    if (index === -1 || index > 119 || sEnd(sk) !== skStart + txLength + 6) return false;
    const suffix = skStart + txLength;
    if (b[suffix] !== E_HASH[0] || b[suffix + 1] !== E_HASH[1] || b[suffix + 2] !== E_HASH[2]) return false;
    if (
      b[suffix + 3] !== 48 + Math.floor(index / 100) ||
      b[suffix + 4] !== 48 + (Math.floor(index / 10) % 10) ||
      b[suffix + 5] !== 48 + (index % 10)
    ) {
      return false;
    }
    const amount = cents(b, fields[7] as number);
    const sideNode = fields[6] as number;
    const accountNode = fields[5] as number;
    const orderIdNode = fields[8] as number;
    if (amount === -1 || !isPlainS(sideNode) || !isPlainS(accountNode) || !isPlainS(orderIdNode)) return false;
    if (!spanEqualsSpan(b, sStart(orderIdNode), sEnd(orderIdNode), orderStart, orderEnd)) return false;
    let side: number;
    if (spanEquals(b, sStart(sideNode), sEnd(sideNode), DEBIT)) side = 0;
    else if (spanEquals(b, sStart(sideNode), sEnd(sideNode), CREDIT)) side = 1;
    else return false;
    const accountStart = sStart(accountNode);
    const accountEnd = sEnd(accountNode);
    let account: number;
    if (spanEquals(b, accountStart, accountEnd, RECEIVABLE)) account = 0;
    else if (spanEquals(b, accountStart, accountEnd, PAYABLE)) account = 1;
    else if (spanEquals(b, accountStart, accountEnd, MARGIN)) account = 2;
    else return false;
    const factory = fields[9] as number;
    const factoryIsString = factory !== -1 && tape[factory * Tape.STRIDE + 2] === T.S;
    if (account === 1 && !factoryIsString) return false;
    if (factoryIsString && account === 1 && !isPlainS(factory)) return false;
    out.int(RecordKind.entry);
    out.int(line);
    out.str(b, orderStart, orderEnd);
    out.str(b, txStart, txEnd);
    out.int(index);
    out.int(side);
    out.int(account);
    if (account === 1) out.str(b, sStart(factory), sEnd(factory));
    else {
      out.int(-1);
      out.int(0);
    }
    out.num(amount);
    out.items++;
    return true;
  }

  function spanEqualsSpan(b: Uint8Array, start1: number, end1: number, start2: number, end2: number): boolean {
    if (end1 - start1 !== end2 - start2) return false;
    for (let i = 0; i < end1 - start1; i++) if (b[start1 + i] !== b[start2 + i]) return false;
    return true;
  }

  const ordersNames = new Wanted(
    'pk',
    'sk',
    'status',
    'order',
    'rules',
    'factoryId',
    'lineIndex',
    'quantityKg',
    'transferUnitPriceUsdPerKg',
  );
  const orderBodyNames = new Wanted('lines', 'incoterm', 'destinationCountry');
  const rulesNames = new Wanted('catalogue', 'priceList');
  const lineNames = new Wanted('grade', 'coating', 'quantityKg');
  const [ORDER_SK, ALLOC_HASH, RULES_HASH] = names('ORDER', 'ALLOC#', 'RULES#') as [Buffer, Buffer, Buffer];
  const bookedStatuses = names('ALLOCATED', 'CONFIRMED');
  const orderFields = new Int32Array(4);
  const lineFields = new Int32Array(4);

  /** An orders-table line into the batch (order, allocation or other key); false → the generic reader decides. */
  function scanOrdersLine(b: Uint8Array, start: number, stop: number, line: number, out: BatchWriter): boolean {
    if (!parseLine(b, start, stop, ordersNames)) return false;
    const pk = fields[0] as number;
    const sk = fields[1] as number;
    if (!isPlainS(pk) || !isPlainS(sk)) return false;
    const isOrderPk = startsWith(b, pk, ORDER_HASH);
    if (isOrderPk && spanEquals(b, sStart(sk), sEnd(sk), ORDER_SK)) return orderItem(b, pk, line, out);
    if (isOrderPk && startsWith(b, sk, ALLOC_HASH)) return allocationItem(b, pk, sk, line, out);
    if (startsWith(b, pk, RULES_HASH)) return false; // rule documents: rare, read whole by the generic reader
    out.int(RecordKind.other);
    out.int(line);
    out.str(b, sStart(pk), sEnd(pk));
    out.str(b, sStart(sk), sEnd(sk));
    out.items++;
    return true;
  }

  function orderItem(b: Uint8Array, pk: number, line: number, out: BatchWriter): boolean {
    const status = fields[2] as number;
    if (!isPlainS(status)) return false;
    const booked = bookedStatuses.some((s) => spanEquals(b, sStart(status), sEnd(status), s));
    let linesNode = -1;
    let incoterm = -1;
    let destination = -1;
    let catalogue = -1;
    let priceList = -1;
    if (booked) {
      const order = fields[3] as number;
      const rules = fields[4] as number;
      if (
        order === -1 ||
        rules === -1 ||
        tape[order * Tape.STRIDE + 2] !== T.M ||
        tape[rules * Tape.STRIDE + 2] !== T.M
      ) {
        return false;
      }
      orderBodyNames.pick(b, order, orderFields);
      linesNode = orderFields[0] as number;
      incoterm = orderFields[1] as number;
      destination = orderFields[2] as number;
      rulesNames.pick(b, rules, orderFields);
      catalogue = orderFields[0] as number;
      priceList = orderFields[1] as number;
      if (linesNode === -1 || tape[linesNode * Tape.STRIDE + 2] !== T.L) return false;
      if (!isPlainS(incoterm) || !isPlainS(catalogue) || !isPlainS(priceList)) return false;
      // The destination prices C and D terms: absent is "none"; anything but a plain string is the generic reader's.
      if (destination !== -1 && !isPlainS(destination)) return false;
      for (let l = tape[linesNode * Tape.STRIDE + 5] as number; l !== -1; l = tape[l * Tape.STRIDE + 6] as number) {
        if (tape[l * Tape.STRIDE + 2] !== T.M) return false;
        lineNames.pick(b, l, lineFields);
        if (!isPlainS(lineFields[0] as number) || !isPlainS(lineFields[1] as number)) return false;
        if (smallInt(b, lineFields[2] as number) === -1) return false;
      }
    }
    out.int(RecordKind.order);
    out.int(line);
    out.str(b, sStart(pk) + 6, sEnd(pk));
    out.str(b, sStart(status), sEnd(status));
    out.int(booked ? 1 : 0);
    if (booked) {
      out.str(b, sStart(incoterm), sEnd(incoterm));
      if (destination === -1) {
        out.int(-1);
        out.int(0);
      } else out.str(b, sStart(destination), sEnd(destination));
      out.str(b, sStart(catalogue), sEnd(catalogue));
      out.str(b, sStart(priceList), sEnd(priceList));
      let count = 0;
      const countAt = out.intCount;
      out.int(0);
      for (let l = tape[linesNode * Tape.STRIDE + 5] as number; l !== -1; l = tape[l * Tape.STRIDE + 6] as number) {
        lineNames.pick(b, l, lineFields);
        const grade = lineFields[0] as number;
        const coating = lineFields[1] as number;
        out.str(b, sStart(grade), sEnd(grade));
        out.str(b, sStart(coating), sEnd(coating));
        out.int(smallInt(b, lineFields[2] as number));
        count++;
      }
      out.ints[countAt] = count;
    }
    out.items++;
    return true;
  }

  function allocationItem(b: Uint8Array, pk: number, sk: number, line: number, out: BatchWriter): boolean {
    const factory = fields[5] as number;
    const status = fields[2] as number;
    const price = fields[8] as number;
    const lineIndex = smallInt(b, fields[6] as number);
    const quantityKg = smallInt(b, fields[7] as number);
    if (!isPlainS(factory) || !isPlainS(status) || !isPlainS(price) || lineIndex === -1 || quantityKg === -1) {
      return false;
    }
    const unitCents = cents(b, price, true);
    if (unitCents === -1) return false;
    const amount = unitCents * quantityKg;
    if (!Number.isSafeInteger(amount)) return false;
    out.int(RecordKind.allocation);
    out.int(line);
    out.str(b, sStart(pk) + 6, sEnd(pk));
    out.str(b, sStart(sk) + 6, sEnd(sk));
    out.str(b, sStart(factory), sEnd(factory));
    out.int(lineIndex);
    out.int(quantityKg);
    out.str(b, sStart(status), sEnd(status));
    out.str(b, sStart(price), sEnd(price));
    out.num(amount);
    out.items++;
    return true;
  }

  return { scanLedgerLine, scanOrdersLine };
}

export const { scanLedgerLine, scanOrdersLine } = createScanner();
