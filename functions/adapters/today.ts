/** The calendar date (UTC) that decides which rules are in force. */
export function isoDate(at: Date | string): string {
  return (typeof at === 'string' ? at : at.toISOString()).slice(0, 10);
}
