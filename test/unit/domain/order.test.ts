import { describe, expect, it } from 'vitest';
import { orderSchema, quoteRequestSchema } from '../../../functions/domain/order';
import { contractLine, contractOrder } from './fixtures';

/** The paths of every zod issue, as JSON pointers like the 422 problem's `errors[].path`. */
function issuePaths(body: unknown, schema: typeof orderSchema | typeof quoteRequestSchema = orderSchema): string[] {
  const result = schema.safeParse(body);
  if (result.success) return [];
  return result.error.issues.map((issue) => `/${issue.path.map(String).join('/')}`);
}

const the = <T>(value: T) => structuredClone(value) as T & Record<string, unknown>;

describe('orderSchema', () => {
  it('accepts the contract example', () => {
    expect(issuePaths(contractOrder())).toEqual([]);
  });

  it('accepts well-formed but unknown grade, mark, coating and country codes: the workflow decides them', () => {
    const order = contractOrder({
      trademark: 'NO SUCH MARK',
      destinationCountry: 'ZZ',
      lines: [contractLine({ grade: 'N99XX', coating: 'Gold' })],
    });
    expect(issuePaths(order)).toEqual([]);
  });

  it('accepts an order without a licence and with every shape', () => {
    const { licence: _licence, ...withoutLicence } = contractOrder();
    const shapes = [
      { type: 'disc', diameterMm: 10, thicknessMm: 2 },
      { type: 'ring', outerDiameterMm: 20, innerDiameterMm: 10, thicknessMm: 3 },
      { type: 'arc', outerRadiusMm: 30, innerRadiusMm: 25, angleDeg: 45, lengthMm: 40 },
    ] as const;
    const order = { ...withoutLicence, lines: shapes.map((shape) => contractLine({ shape })) };
    expect(issuePaths(order)).toEqual([]);
  });

  it.each([
    ['buyer', (o: ReturnType<typeof the>) => delete o.buyer, '/buyer'],
    ['lines', (o: ReturnType<typeof the>) => delete o.lines, '/lines'],
    ['requestedShipDate', (o: ReturnType<typeof the>) => delete o.requestedShipDate, '/requestedShipDate'],
  ])('a missing %s fails at its path', (_name, remove, path) => {
    const order = the(contractOrder());
    remove(order);
    expect(issuePaths(order)).toEqual([path]);
  });

  it('a missing field inside a line fails with the line index in the path', () => {
    const order = contractOrder();
    const { quantityKg: _quantity, ...line } = contractLine();
    expect(issuePaths({ ...order, lines: [contractLine(), line] })).toEqual(['/lines/1/quantityKg']);
  });

  it.each([
    ['company', 200],
    ['contactName', 120],
  ] as const)('buyer.%s is bounded at %i characters', (field, max) => {
    const at = contractOrder();
    at.buyer[field] = 'x'.repeat(max);
    expect(issuePaths(at)).toEqual([]);
    const over = contractOrder();
    over.buyer[field] = 'x'.repeat(max + 1);
    expect(issuePaths(over)).toEqual([`/buyer/${field}`]);
  });

  it.each([
    ['trademark', 64],
    ['endUse.description', 500],
    ['licence.number', 64],
    ['lines.0.grade', 16],
    ['lines.0.coating', 32],
  ])('%s is bounded at %i characters', (dotted, max) => {
    const set = (value: string) => {
      const order = the(contractOrder()) as unknown as Record<string, unknown>;
      const keys = dotted.split('.');
      const last = keys.pop() ?? '';
      const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, order);
      parent[last] = value;
      return order;
    };
    expect(issuePaths(set('x'.repeat(max)))).toEqual([]);
    expect(issuePaths(set('x'.repeat(max + 1)))).toEqual([`/${dotted.replaceAll('.', '/')}`]);
  });

  it('requires an e-mail-shaped address of at most 254 characters', () => {
    const order = contractOrder();
    order.buyer.email = 'not-an-address';
    expect(issuePaths(order)).toEqual(['/buyer/email']);
    order.buyer.email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}.com`;
    expect(order.buyer.email.length).toBeGreaterThan(254);
    expect(issuePaths(order)).toContain('/buyer/email');
  });

  it('refuses unknown keys at every level', () => {
    const order = the(contractOrder());
    order.extra = true;
    expect(issuePaths(order)).toEqual(['/']);
    const nested = contractOrder();
    (nested.buyer as Record<string, unknown>).vatId = 'DE1';
    expect(issuePaths(nested)).toEqual(['/buyer']);
    const inShape = contractOrder({
      lines: [contractLine({ shape: { type: 'disc', diameterMm: 5, thicknessMm: 2, lengthMm: 3 } as never })],
    });
    expect(issuePaths(inShape)).toEqual(['/lines/0/shape']);
  });

  it('refuses a shape with the wrong fields for its type, or an unknown type', () => {
    const wrongFields = contractOrder({
      lines: [contractLine({ shape: { type: 'ring', diameterMm: 5, thicknessMm: 2 } as never })],
    });
    expect(issuePaths(wrongFields).every((path) => path.startsWith('/lines/0/shape'))).toBe(true);
    expect(issuePaths(wrongFields).length).toBeGreaterThan(0);
    const unknownType = contractOrder({ lines: [contractLine({ shape: { type: 'sphere' } as never })] });
    expect(issuePaths(unknownType)).toEqual(['/lines/0/shape/type']);
  });

  it.each([
    ['zero', 0],
    ['negative', -1],
    ['over 1000 mm', 1000.5],
    ['infinite', Number.POSITIVE_INFINITY],
    ['not a number', Number.NaN],
  ])('refuses a %s dimension', (_name, value) => {
    const order = contractOrder({
      lines: [contractLine({ shape: { type: 'block', lengthMm: value, widthMm: 10, thicknessMm: 5 } })],
    });
    expect(issuePaths(order)).toEqual(['/lines/0/shape/lengthMm']);
  });

  it('takes arc angles in (0, 360]', () => {
    const arc = (angleDeg: number) =>
      contractOrder({
        lines: [contractLine({ shape: { type: 'arc', outerRadiusMm: 30, innerRadiusMm: 20, angleDeg, lengthMm: 10 } })],
      });
    expect(issuePaths(arc(360))).toEqual([]);
    expect(issuePaths(arc(0))).toEqual(['/lines/0/shape/angleDeg']);
    expect(issuePaths(arc(360.1))).toEqual(['/lines/0/shape/angleDeg']);
  });

  it.each([
    [1, true],
    [1_000_000, true],
    [0, false],
    [-5, false],
    [2.5, false],
    [1_000_001, false],
  ])('quantityKg %d valid: %s', (quantityKg, valid) => {
    const order = contractOrder({ lines: [contractLine({ quantityKg })] });
    expect(issuePaths(order)).toEqual(valid ? [] : ['/lines/0/quantityKg']);
  });

  it.each([
    ['72.00', true],
    ['72', true],
    ['0.01', true],
    ['9999999.99', true],
    ['0', false],
    ['0.00', false],
    ['72.001', false],
    ['10000000.00', false],
    ['-1.00', false],
    ['1e3', false],
    ['072.00', false],
    [' 72.00', false],
  ])('offeredUnitPriceUsdPerKg "%s" valid: %s', (price, valid) => {
    const order = contractOrder({ lines: [contractLine({ offeredUnitPriceUsdPerKg: price })] });
    expect(issuePaths(order)).toEqual(valid ? [] : ['/lines/0/offeredUnitPriceUsdPerKg']);
  });

  it('refuses a price given as a number: no float touches money', () => {
    const order = contractOrder({ lines: [contractLine({ offeredUnitPriceUsdPerKg: 72 as never })] });
    expect(issuePaths(order)).toEqual(['/lines/0/offeredUnitPriceUsdPerKg']);
  });

  it('takes 1 to 20 lines', () => {
    expect(issuePaths(contractOrder({ lines: [] }))).toEqual(['/lines']);
    expect(issuePaths(contractOrder({ lines: Array.from({ length: 20 }, () => contractLine()) }))).toEqual([]);
    expect(issuePaths(contractOrder({ lines: Array.from({ length: 21 }, () => contractLine()) }))).toEqual(['/lines']);
  });

  it.each([
    ['2027-02-29', false],
    ['2028-02-29', true],
    ['2027-04-31', false],
    ['2027-13-01', false],
    ['2027-3-1', false],
    ['2027-03-01T00:00:00Z', false],
  ])('requestedShipDate "%s" valid: %s', (date, valid) => {
    expect(issuePaths(contractOrder({ requestedShipDate: date }))).toEqual(valid ? [] : ['/requestedShipDate']);
  });

  it.each(['de', 'DEU', 'D1', ''])('refuses the country code "%s"', (country) => {
    expect(issuePaths(contractOrder({ destinationCountry: country }))).toEqual(['/destinationCountry']);
  });

  it('takes an optional, bounded magnetization direction per line; whether the shape allows it is not its call', () => {
    expect(issuePaths(contractOrder({ lines: [contractLine({ magnetization: 'through-thickness' })] }))).toEqual([]);
    // Well-formed but unknown: accepted, and the grade check decides (SPEC_INVALID), like an unknown grade.
    expect(issuePaths(contractOrder({ lines: [contractLine({ magnetization: 'sideways' })] }))).toEqual([]);
    for (const bad of ['Axial', 'axial ', '', 'a'.repeat(33), 'through--thickness', '-axial']) {
      expect(issuePaths(contractOrder({ lines: [contractLine({ magnetization: bad })] })), bad).toEqual([
        '/lines/0/magnetization',
      ]);
    }
  });

  it('takes only the nine Incoterms of the catalogue', () => {
    for (const incoterm of ['FOB', 'CIF', 'CFR', 'FCA', 'CPT', 'CIP', 'DAP', 'DDP', 'EXW']) {
      expect(issuePaths(contractOrder({ incoterm: incoterm as never }))).toEqual([]);
    }
    expect(issuePaths(contractOrder({ incoterm: 'DPU' as never }))).toEqual(['/incoterm']);
  });
});

describe('quoteRequestSchema', () => {
  const request = () => {
    const { lines, incoterm, requestedShipDate } = contractOrder();
    return { lines, incoterm, requestedShipDate };
  };

  it('accepts the lines, incoterm and ship date of the contract example', () => {
    expect(issuePaths(request(), quoteRequestSchema)).toEqual([]);
  });

  it('accepts a line without an offered price and an optional destination', () => {
    const { offeredUnitPriceUsdPerKg: _offer, ...line } = contractLine();
    expect(issuePaths({ ...request(), lines: [line], destinationCountry: 'US' }, quoteRequestSchema)).toEqual([]);
  });

  it('checks lines exactly as orders do and refuses order-only fields', () => {
    expect(issuePaths({ ...request(), lines: [contractLine({ quantityKg: 0 })] }, quoteRequestSchema)).toEqual([
      '/lines/0/quantityKg',
    ]);
    expect(issuePaths({ ...request(), lines: [{ ...contractLine(), extra: 1 }] }, quoteRequestSchema)).toEqual([
      '/lines/0',
    ]);
    expect(issuePaths({ ...request(), trademark: 'UNIMAG 1989' }, quoteRequestSchema)).toEqual(['/']);
  });
});
