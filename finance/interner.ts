/** Byte-string interning: ids read from an export become dense integer indexes, without a JS string or object per id. */

/** As an enum so that a bundle inlines the numbers (esbuild turns a bundle's top-level consts into vars). */
enum Fnv {
  /** 0x811c9dc5 as a signed 32-bit integer. */
  OFFSET = -2128831035,
  PRIME = 0x01000193,
}
const encoder = new TextEncoder();

/**
 * An open-addressing hash table over a byte arena. Keys are compared byte for byte, so two ids share an index only if
 * they are the same bytes (a hash collision costs a probe, never a wrong match). Memory: the key bytes plus ~20 bytes
 * per key, against ~80–100 for a Map<string, number> entry with its string.
 */
export class Interner {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private table = new Int32Array(2048).fill(-1);
  private mask = 2047;
  private scratch = new Uint8Array(256);
  /** Number of distinct keys; indexes run 0 … size − 1 in the order keys were first seen. */
  size = 0;
  /** Whether the last intern() added its key. */
  added = false;

  /** The index of the key `src[offset … offset+length)`, adding it when it is new. */
  intern(src: Uint8Array, offset: number, length: number): number {
    let hash: number = Fnv.OFFSET;
    for (let i = offset; i < offset + length; i++) hash = Math.imul(hash ^ (src[i] as number), Fnv.PRIME);
    // FNV's low bits (the slot) barely mix for ids that differ in a digit or two: finish with murmur3's avalanche.
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
    let slot = hash & this.mask;
    for (;;) {
      const index = this.table[slot] as number;
      if (index === -1) break;
      if (this.hashes[index] === hash && this.lengths[index] === length && this.equals(index, src, offset, length)) {
        this.added = false;
        return index;
      }
      slot = (slot + 1) & this.mask;
    }
    const index = this.size;
    this.size += 1;
    if (index >= this.starts.length) {
      this.starts = grow(this.starts, index + 1);
      this.lengths = grow(this.lengths, index + 1);
      this.hashes = grow(this.hashes, index + 1);
    }
    if (this.used + length > this.arena.length) {
      this.arena = grow(this.arena, this.used + length);
    }
    const arena = this.arena;
    for (let i = 0; i < length; i++) arena[this.used + i] = src[offset + i] as number;
    this.starts[index] = this.used;
    this.lengths[index] = length;
    this.hashes[index] = hash;
    this.used += length;
    this.table[slot] = index;
    if (this.size * 2 > this.table.length) this.rehash();
    this.added = true;
    return index;
  }

  /**
   * Room for `keys` keys of about `bytesPerKey` bytes without growing (a bound known before reading). The hash table is
   * left to grow: it is filled with −1, so its pages are all resident, where the key arrays' are only once written.
   */
  reserve(keys: number, bytesPerKey: number) {
    this.starts = reserve(this.starts, keys);
    this.lengths = reserve(this.lengths, keys);
    this.hashes = reserve(this.hashes, keys);
    this.arena = reserve(this.arena, keys * bytesPerKey);
  }

  /** The index of a JS string's UTF-8 bytes (the form ids have in the export), adding it when it is new. */
  internString(text: string): number {
    if (this.scratch.length < text.length * 3) this.scratch = new Uint8Array(text.length * 3);
    const { written } = encoder.encodeInto(text, this.scratch);
    return this.intern(this.scratch, 0, written);
  }

  /** Two keys joined by a NUL byte, e.g. (orderId, allocationId): one index per pair without building a string. */
  internPair(src: Uint8Array, offset1: number, length1: number, offset2: number, length2: number): number {
    const length = length1 + 1 + length2;
    if (this.scratch.length < length) this.scratch = new Uint8Array(length * 2);
    this.scratch.set(src.subarray(offset1, offset1 + length1), 0);
    this.scratch[length1] = 0;
    this.scratch.set(src.subarray(offset2, offset2 + length2), length1 + 1);
    return this.intern(this.scratch, 0, length);
  }

  /** The key as a string (for reports and rule lookups, not on the hot path). */
  text(index: number): string {
    const start = this.starts[index] as number;
    return Buffer.from(this.arena.buffer, this.arena.byteOffset + start, this.lengths[index]).toString('utf8');
  }

  private equals(index: number, src: Uint8Array, offset: number, length: number): boolean {
    const start = this.starts[index] as number;
    const arena = this.arena;
    for (let i = 0; i < length; i++) if (arena[start + i] !== src[offset + i]) return false;
    return true;
  }

  private rehash() {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = (this.hashes[index] as number) & mask;
      while (table[slot] !== -1) slot = (slot + 1) & mask;
      table[slot] = index;
    }
    this.table = table;
    this.mask = mask;
  }
}

/**
 * A copy of `array` with room for at least `needed` elements. Grows by half (appends stay amortised O(1)): doubling
 * leaves up to half of every large array unused, and the books' arrays are most of reconcile's memory.
 */
export function grow<T extends Int32Array | Int16Array | Float64Array | Uint8Array>(array: T, needed: number): T {
  let length = Math.max(array.length, 16);
  while (length < needed) length = Math.ceil(length * 1.5);
  if (length === array.length) return array;
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}

/** A copy of `array` with exactly `length` elements when it has fewer (sizing up front from a known bound). */
export function reserve<T extends Int32Array | Int16Array | Float64Array | Uint8Array>(array: T, length: number): T {
  if (length <= array.length) return array;
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}
