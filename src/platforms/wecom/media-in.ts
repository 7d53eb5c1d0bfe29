/**
 * Files and images people send to WeCom, fetched when an attachment needs them:
 * - app callback (`MsgType` image/file): `GET /cgi-bin/media/get?access_token=…&media_id=…`
 *   (https://developer.work.weixin.qq.com/document/path/90254) answers the bytes, or JSON with an
 *   errcode (40007: invalid media_id; temporary media live 3 days);
 * - intelligent bot (`image`/`file` and the images of `mixed`): `{url, aeskey}`; the URL lives
 *   5 minutes and serves the file AES-256-CBC encrypted (key = base64 aeskey, IV = its first 16
 *   bytes, PKCS#7 padding to 32 bytes), as the SDK's `decryptFile` reads it.
 * The reference travels in `InboundFile.remote` as JSON (`WecomRemote`).
 */
import { decryptFile } from '@wecom/aibot-node-sdk';
import { contentTypeOf, dispositionName, fetchDownload, imageType, isJsonAnswer, readCapped } from '../download.js';
import { type FetchedFile, type InboundFile, InboundFileError } from '../types.js';
import type { WecomClient } from './client.js';
import { TOKEN_ERRORS } from './errors.js';

export type WecomRemote = { via: 'app'; mediaId: string } | { via: 'bot'; url: string; aeskey: string };

const TIMEOUT_MS = 60_000;
/** The largest PKCS#7 padding: an encrypted file may be this much longer than the limit. */
const PAD = 32;

export function parseRemote(remote: string | undefined): WecomRemote | null {
  try {
    const r = JSON.parse(remote ?? '') as Partial<{ via: string; mediaId: string; url: string; aeskey: string }>;
    if (r.via === 'app' && typeof r.mediaId === 'string' && r.mediaId) return { via: 'app', mediaId: r.mediaId };
    if (r.via === 'bot' && typeof r.url === 'string' && /^https?:\/\//.test(r.url) && typeof r.aeskey === 'string' && r.aeskey) return { via: 'bot', url: r.url, aeskey: r.aeskey };
  } catch {
    // not ours
  }
  return null;
}

export async function fetchWecomFile(client: WecomClient | undefined, file: InboundFile, maxBytes: number): Promise<FetchedFile> {
  const remote = parseRemote(file.remote);
  if (!remote) throw new InboundFileError('unknown', 'not a WeCom file reference');
  if (remote.via === 'bot') return fetchBotFile(remote, file, maxBytes);
  if (!client) throw new InboundFileError('unavailable', 'the WeCom app is not configured');
  return fetchAppMedia(client, remote.mediaId, maxBytes);
}

/** media/get with the cached token; a rejected token is refreshed once. */
async function fetchAppMedia(client: WecomClient, mediaId: string, maxBytes: number, retried = false): Promise<FetchedFile> {
  const url = new URL('/cgi-bin/media/get', client.apiBase);
  url.searchParams.set('access_token', await client.accessToken(retried));
  url.searchParams.set('media_id', mediaId);
  const res = await fetchDownload(url.toString(), 'WeCom media/get', TIMEOUT_MS);
  const mime = contentTypeOf(res);
  if (isJsonAnswer(mime) || mime === 'text/plain') {
    // Errors come as HTTP 200 + JSON; a JSON file someone sent has no errcode.
    const data = await readCapped(res, maxBytes, 'WeCom media/get');
    const errcode = errcodeOf(data);
    if (errcode === null) return { data, mime, ...nameOf(res) };
    if (TOKEN_ERRORS.has(errcode) && !retried) return fetchAppMedia(client, mediaId, maxBytes, true);
    if (errcode === 40007 || errcode === 40008) throw new InboundFileError('unknown', `WeCom media/get: ${errcode} (invalid media_id)`);
    throw new InboundFileError('unavailable', `WeCom media/get: ${errcode}`);
  }
  return { data: await readCapped(res, maxBytes, 'WeCom media/get'), mime, ...nameOf(res) };
}

async function fetchBotFile(remote: { url: string; aeskey: string }, file: InboundFile, maxBytes: number): Promise<FetchedFile> {
  const res = await fetchDownload(remote.url, 'WeCom bot file', TIMEOUT_MS);
  const encrypted = await readCapped(res, maxBytes + PAD, 'WeCom bot file');
  let data: Buffer;
  try {
    data = decryptFile(encrypted, remote.aeskey);
  } catch (error) {
    // A URL that serves something the key does not open: not the file the message announced.
    throw new InboundFileError('type', `WeCom bot file does not decrypt: ${(error as Error).message}`);
  }
  if (data.length > maxBytes) throw new InboundFileError('too-large', `WeCom bot file: ${data.length} bytes`);
  // The URL serves ciphertext: the type comes from the bytes for images, else from the message.
  const mime = file.kind === 'image' ? (imageType(data) ?? 'application/octet-stream') : file.mime;
  return { data, mime, ...nameOf(res) };
}

function nameOf(res: Response): { name?: string } {
  const name = dispositionName(res.headers.get('content-disposition'));
  return name ? { name } : {};
}

function errcodeOf(data: Buffer): number | null {
  try {
    const json = JSON.parse(data.toString('utf8')) as { errcode?: unknown };
    return typeof json.errcode === 'number' && json.errcode !== 0 ? json.errcode : null;
  } catch {
    return null;
  }
}
