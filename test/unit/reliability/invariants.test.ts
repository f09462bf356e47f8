/** The reliability scenarios are only as good as their checks: each invariant detector is shown to fire. */
import { describe, expect, it } from 'vitest';
import { duplicateBuyerMails, duplicateFactoryMails, invariantsOf } from '../../reliability/scenario';

const order = (orderId: string, status: string, kg = 300) => ({
  pk: `ORDER#${orderId}`,
  sk: 'ORDER',
  type: 'order',
  orderId,
  status,
  order: { lines: [{ quantityKg: kg }] },
});
const allocation = (orderId: string, id: string, factoryId: string, kg: number, status = 'NOTIFIED') => ({
  pk: `ORDER#${orderId}`,
  sk: `ALLOC#${id}`,
  orderId,
  allocationId: id,
  lineIndex: 0,
  factoryId,
  family: 'N',
  month: '2027-03',
  quantityKg: kg,
  status,
});
const cell = (factoryId: string, reservedKg: number, capacityKg: number) => ({
  pk: `CAP#${factoryId}#N#2027-03`,
  sk: 'CAP',
  type: 'capacity',
  factoryId,
  reservedKg,
  capacityKg,
});

describe('invariantsOf', () => {
  it('finds nothing wrong in a consistent table', () => {
    const found = invariantsOf([
      order('A', 'ALLOCATED'),
      allocation('A', 'a1', 'f1', 200),
      allocation('A', 'a2', 'f2', 100),
      order('B', 'UNFILLED'),
      allocation('B', 'b1', 'f1', 100, 'RELEASED'),
      order('C', 'REJECTED'),
      cell('f1', 200, 200),
      cell('f2', 100, 400),
    ]);
    expect(found).toMatchObject({
      byStatus: { ALLOCATED: 1, UNFILLED: 1, REJECTED: 1 },
      notRouted: [],
      overbooked: [],
      cellMismatches: [],
      partlyAllocated: [],
      strayReservations: [],
      reservedKg: 300,
      capacityKg: 600,
    });
  });

  it('names an overbooked factory-month, a leaked reservation, a partial allocation and a stray hold', () => {
    const found = invariantsOf([
      order('A', 'ALLOCATED'),
      allocation('A', 'a1', 'f1', 200),
      order('B', 'UNFILLED'),
      allocation('B', 'b1', 'f2', 100, 'RESERVED'),
      order('C', 'CHECKING'),
      cell('f1', 250, 200),
      cell('f2', 100, 100),
    ]);
    expect(found.overbooked).toEqual(['CAP#f1#N#2027-03: 250 kg reserved of 200']);
    expect(found.cellMismatches).toEqual(['CAP#f1#N#2027-03: cell says 250 kg, allocations hold 200']);
    expect(found.partlyAllocated).toEqual(['A line 0: 200 of 300 kg']);
    expect(found.strayReservations).toEqual(['B/b1 RESERVED (order UNFILLED)']);
    expect(found.notRouted).toEqual(['C CHECKING']);
  });

  it('counts an e-mail sent twice for one allocation, or to one buyer, as a duplicate', () => {
    const factoryMail = (id: string) => ({
      destination: { to: ['f@example.cn'] },
      subject: 'Allocation 100 kg N42 for order X',
      body: { text: `accept: http://localhost/api/allocations/${id}/accept?token=t` },
    });
    const buyerMail = { destination: { to: ['b@example.com'] }, subject: 'Order X allocated', body: {} };
    expect(duplicateFactoryMails([factoryMail('a1'), factoryMail('a2')])).toEqual([]);
    expect(duplicateFactoryMails([factoryMail('a1'), factoryMail('a1')])).toEqual(['a1 × 2']);
    expect(duplicateBuyerMails([buyerMail])).toEqual([]);
    expect(duplicateBuyerMails([buyerMail, buyerMail])).toEqual(['b@example.com|Order X allocated × 2']);
  });
});
