/**
 * Downloading a file someone sent, shared by the WeCom and DingTalk adapters: a declared
 * Content-Length over the limit is refused before reading, and the body is read only up to the
 * limit (a platform that does not say the size cannot make us buffer more than that).
 */
import { InboundFileError } from './types.js';

const MIME = /^[\w.+-]+\/[\w.+-]+$/;

/** GETs `url`; network trouble and 5xx are `unavailable`, 404 `unknown`. */
export async function fetchDownload(url: string, what: string, timeoutMs: number, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new InboundFileError('unavailable', `${what} unreachable: ${(error as Error).message}`);
  }
  if (res.status === 404 || res.status === 403 || res.status === 410) throw new InboundFileError('unknown', `${what} answered HTTP ${res.status}`);
  if (res.status !== 200) throw new InboundFileError('unavailable', `${what} answered HTTP ${res.status}`);
  return res;
}

/** The body, at most `maxBytes`: a larger declared or actual size is `too-large`. */
export async function readCapped(res: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new InboundFileError('too-large', `${what}: ${declared} bytes declared, limit ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new InboundFileError('too-large', `${what}: over ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** The served media type without parameters, lower case; `application/octet-stream` when absent or malformed. */
export function contentTypeOf(res: Response): string {
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return MIME.test(type) ? type : 'application/octet-stream';
}

/** The file name of a Content-Disposition header (`filename*=UTF-8''…` preferred), if any. */
export function dispositionName(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      return undefined;
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header);
  return plain ? plain[1]!.trim() : undefined;
}

/** Platform error bodies are JSON: a download answering JSON is an error, not a file. */
export function isJsonAnswer(mime: string): boolean {
  return mime === 'application/json' || mime === 'text/json';
}

/** The image type of the bytes by their signature (PNG, JPEG, GIF, WebP, BMP), or null. */
export function imageType(data: Buffer): string | null {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (data.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp';
  return null;
}
