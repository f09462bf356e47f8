/** Escapes text for HTML bodies; every user-supplied value passes through it before it reaches an e-mail or page. */
const replacements: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => replacements[c] ?? c);
}
