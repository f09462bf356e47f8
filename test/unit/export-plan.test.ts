/** The daily export plan: a full export always, an incremental one since the last export within DynamoDB's window. */
import { describe, expect, it } from 'vitest';
import { MIN_INCREMENTAL_MS, planExports } from '../../functions/export-tables/plan';

const now = new Date('2027-03-02T02:00:00.456Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);

describe('planExports', () => {
  it('exports in full and incrementally from where the last export ended, both to the same instant', () => {
    const lastEnded = new Date('2027-03-01T09:30:00.000Z');
    const [full, incremental] = planExports(now, lastEnded);
    expect(full).toEqual({
      type: 'FULL_EXPORT',
      exportTime: new Date('2027-03-02T02:00:00.000Z'),
      s3Prefix: 'full/2027-03-02',
    });
    expect(incremental).toEqual({
      type: 'INCREMENTAL_EXPORT',
      from: lastEnded,
      to: new Date('2027-03-02T02:00:00.000Z'),
      s3Prefix: 'incremental/2027-03-02',
      clamped: false,
    });
  });

  it('clamps a gap over 24 h to the last 24 h and says so', () => {
    const incremental = planExports(now, hoursAgo(60))[1];
    expect(incremental).toMatchObject({ from: new Date('2027-03-01T02:00:00.000Z'), clamped: true });
  });

  it('covers the last 24 h when the table was never exported', () => {
    expect(planExports(now, undefined)[1]).toMatchObject({
      from: new Date('2027-03-01T02:00:00.000Z'),
      clamped: false,
    });
  });

  it('skips the incremental export when the last one ended under 15 minutes ago', () => {
    const recent = new Date(now.getTime() - MIN_INCREMENTAL_MS + 60_000);
    expect(planExports(now, recent).map((p) => p.type)).toEqual(['FULL_EXPORT']);
  });
});
