/** Same-origin calls to the channel's JSON API; every answer comes back as { status, body }, problem+json included. */

export class NetworkError extends Error {
  constructor(cause) {
    super('network error');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

/** Resolves for any HTTP status; rejects with NetworkError when no answer arrived, or AbortError when aborted. */
export async function callApi(method, path, { body, headers = {}, signal } = {}) {
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers:
        body === undefined
          ? { Accept: 'application/json', ...headers }
          : {
              Accept: 'application/json',
              'Content-Type': 'application/json',
              ...headers,
            },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal,
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new NetworkError(error);
  }
  return { status: response.status, body: await readBody(response) };
}

/** A problem+json body's field errors, or an empty list. */
export function problemErrors(body) {
  const errors = body && Array.isArray(body.errors) ? body.errors : [];
  return errors
    .filter((error) => error && typeof error.path === 'string' && typeof error.message === 'string')
    .map(({ path, message }) => ({ path, message }));
}

/** Something human to show for a problem+json body. */
export function problemDetail(body, fallback) {
  if (body && typeof body.detail === 'string' && body.detail) return body.detail;
  if (body && typeof body.title === 'string' && body.title) return body.title;
  return fallback;
}
