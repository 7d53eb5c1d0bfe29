/**
 * Secrets never reach the log through a URL: values of query parameters that can carry a
 * credential are replaced before a URL is logged (the admin API accepts tokens only in the
 * Authorization header, but a client may still put one in a link), and a sign-in link's token
 * (a path segment) is hidden too.
 */
// `code`, `authCode` and `state`: the platforms' sign-in codes and our state of the OAuth round trip.
const SECRET_PARAMS = /^(token|access_token|admin_token|secret|client_secret|password|key|api_key|auth|authorization|sign|code|authcode|state)$/i;

/** Path segments that are themselves credentials: a sign-in link's token. */
const SECRET_PATH = /^(\/auth\/link\/)[^/?#]+/;

export function redactUrl(rawUrl: string): string {
  const url = rawUrl.replace(SECRET_PATH, '$1[redacted]');
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A broken escape: judge the raw name.
      }
      return eq >= 0 && SECRET_PARAMS.test(decoded) ? `${name}=[redacted]` : part;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/** True when the query string names a credential parameter (refused by the admin API). */
export function hasSecretParam(url: string): boolean {
  return redactUrl(url) !== url;
}

/** pino serializer for fastify's `req`: the usual fields, with the URL redacted. */
export function requestSerializer(req: { method?: string; url?: string; ip?: string; headers?: Record<string, unknown> }) {
  return { method: req.method, url: redactUrl(req.url ?? ''), host: req.headers?.host, remoteAddress: req.ip };
}
