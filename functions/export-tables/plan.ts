/** Which exports the daily job requests for a table: always a full one, plus an incremental one since the last export. */

/** DynamoDB accepts incremental windows of 15 minutes to 24 hours. */
export const MIN_INCREMENTAL_MS = 15 * 60 * 1000;
export const MAX_INCREMENTAL_MS = 24 * 60 * 60 * 1000;

export type PlannedExport =
  | { type: 'FULL_EXPORT'; exportTime: Date; s3Prefix: string }
  | { type: 'INCREMENTAL_EXPORT'; from: Date; to: Date; s3Prefix: string; clamped: boolean };

/**
 * `lastCoveredUntil` is the point in time the previous export reached (a full export's ExportTime, an incremental
 * one's ExportToTime). The incremental window starts there; when that is more than 24 h ago it starts 24 h ago
 * (`clamped`: the full export taken in the same run still covers everything). No previous export: the last 24 h.
 * Both exports end at the same instant, so the full and the incremental of one run describe the same moment.
 */
export function planExports(now: Date, lastCoveredUntil: Date | undefined): PlannedExport[] {
  const day = now.toISOString().slice(0, 10);
  const to = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const plans: PlannedExport[] = [{ type: 'FULL_EXPORT', exportTime: to, s3Prefix: `full/${day}` }];
  const earliest = to.getTime() - MAX_INCREMENTAL_MS;
  const from = lastCoveredUntil === undefined ? earliest : Math.max(lastCoveredUntil.getTime(), earliest);
  if (to.getTime() - from >= MIN_INCREMENTAL_MS) {
    plans.push({
      type: 'INCREMENTAL_EXPORT',
      from: new Date(from),
      to,
      s3Prefix: `incremental/${day}`,
      clamped: lastCoveredUntil !== undefined && lastCoveredUntil.getTime() < earliest,
    });
  }
  return plans;
}
