/** Shared builders for the domain tests: the contract's example order and editable copies of the seed rules. */
import type { Order, OrderLine } from '../../../functions/domain/order';
import { type RuleSet, seedRuleSet } from '../../../functions/domain/rules';

/** The contract's example order, with the seed register's unified mark filled in. */
export function contractOrder(overrides: Partial<Order> = {}): Order {
  return {
    buyer: { company: 'Acme Motors GmbH', country: 'DE', contactName: 'Ada Example', email: 'buyer@example.com' },
    destinationCountry: 'DE',
    endUse: { description: 'EV traction motors', military: false },
    trademark: 'UNIMAG 1989',
    incoterm: 'FOB',
    requestedShipDate: '2027-03-01',
    licence: { number: 'LIC-2027-0001', validUntil: '2027-12-31' },
    lines: [contractLine()],
    ...overrides,
  };
}

export function contractLine(overrides: Partial<OrderLine> = {}): OrderLine {
  return {
    grade: 'N42SH',
    shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
    coating: 'NiCuNi',
    quantityKg: 500,
    offeredUnitPriceUsdPerKg: '72.00',
    ...overrides,
  };
}

/** A deep copy of the seed rules for a test to change without touching other tests. */
export function editableRules(edit: (rules: RuleSet) => void = () => {}): RuleSet {
  const rules = structuredClone(seedRuleSet);
  edit(rules);
  return rules;
}
