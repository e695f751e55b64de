/**
 * The one place that makes a URL (or a text that may hold URLs) safe to print: in an error, a log
 * line, an alert email, a manifest or an API body. Credentials in the user-info part and the values
 * of query parameters that carry secrets are replaced; everything else is kept so that staff can
 * still tell which endpoint was meant.
 */

/** Query parameters whose values are secrets (case-insensitive; `-` and `_` ignored). */
const SECRET_PARAMS = new Set(['token', 'accesstoken', 'apikey', 'key', 'password', 'passwd', 'pass', 'pwd', 'secret', 'clientsecret', 'sig', 'signature', 'auth', 'authorization', 'credential', 'credentials', 'sessionid', 'session']);

export const REDACTED = '***';

export function isSecretParam(name: string): boolean {
  return SECRET_PARAMS.has(name.toLowerCase().replace(/[-_]/g, ''));
}

/** A URL without credentials: `https://user:pw@h/p?token=x&period=2023Q3` → `https://***@h/p?token=***&period=2023Q3`. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not parseable: still strip anything that looks like user-info.
    return url.replace(/\/\/[^/?#\s]*@/g, `//${REDACTED}@`);
  }
  const hadUser = u.username !== '' || u.password !== '';
  u.username = '';
  u.password = '';
  for (const name of [...u.searchParams.keys()]) if (isSecretParam(name)) u.searchParams.set(name, REDACTED);
  const s = u.toString();
  return hadUser ? s.replace('//', `//${REDACTED}@`) : s;
}

// scheme://… up to whitespace or a closing quote/bracket.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)\]]+/gi;

/** Every URL inside a free text redacted (error messages of libraries may quote the URL they were given). */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (m) => redactUrl(m));
}

/** Whether a URL carries credentials that must come from the environment instead. */
export function urlCredentials(url: string): 'user-info' | 'query' | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined; // not a URL at all: refused for that reason elsewhere
  }
  if (u.username !== '' || u.password !== '') return 'user-info';
  if ([...u.searchParams.keys()].some((k) => isSecretParam(k) && k.toLowerCase() !== 'key')) return 'query';
  return undefined;
}
