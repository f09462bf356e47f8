/** One export line as JSON: the generic reader that checks a line is `{"Item":{…DynamoDB JSON…}}` and names file and line when not. */

/** Input that cannot be an intact export: reconcile stops, names the file (and line), and reports nothing as OK. */
export class ExportInputError extends Error {
  override name = 'ExportInputError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`);
  }
}

/** An item's attributes in plain form: S as strings, N as numbers when exact (else strings), M/L nested, sets as arrays. */
export type PlainItem = Record<string, unknown>;

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

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
