/** The small HTML pages behind the factory links: no script, no inline style, every value escaped. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { escapeHtml } from '../adapters/html';

/** Nothing but a same-origin form post is allowed; the token never leaves in a Referer. */
const pageHeaders = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

export function page(statusCode: number, title: string, paragraphs: string[], form?: string): APIGatewayProxyResult {
  const body = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    // No action attribute: the form posts back to this very URL, token included, under any stage prefix.
    form ? `<form method="post"><button type="submit">${escapeHtml(form)}</button></form>` : '',
    '</body></html>',
  ].join('\n');
  return { statusCode, headers: pageHeaders, body };
}
