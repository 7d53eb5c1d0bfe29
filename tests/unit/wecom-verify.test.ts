/** WeCom callback crypto against the official sample vectors (platforms.md A2) and the refusal rules. */
import { encrypt, getSignature } from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { parseCallbackXml, parseEnvelope } from '../../src/platforms/wecom/decode.js';
import { rawQuery } from '../../src/platforms/wecom/routes.js';
import { CallbackError, openSigned, signatureMatches } from '../../src/platforms/wecom/verify.js';
import { WecomCallbackDriver } from '../fakes/wecom/callback-driver.js';

const TOKEN = 'QDG6eK';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP = 'wx5823bf96d3bd56c7';
const keys = { token: TOKEN, encodingAesKey: AES_KEY, receiveId: CORP, maxAgeSeconds: 300 };
const at = (ts: number) => new Date(ts * 1000);

const V1 = {
  signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostrInUrl: 'P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D',
};
const V2 = {
  signature: '477715d11cdb4164915debcba66cb864d751f3e6',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypt:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
};
const V2_PLAIN =
  '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>';
const V3 = {
  msg: '<xml><ToUserName><![CDATA[mycreate]]></ToUserName><FromUserName><![CDATA[wx5823bf96d3bd56c7]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content></xml>',
  encrypt:
    '2JaQ0H0H/TuqGM/rDRTvaynbq2iGmS8l2tyAhsBFQLgVbPqFeXSZlY2nrYOcr6PVh74XZDr6GQ0PWfPpEeui6v96xqL6+HrIF02eXbp8AgAEUG1hMI+6uHir0SZ7/Hd4X7EvRml0EWAIQ/XAKo0kenBHH+AVxhMEHF02yx3lEvGO7VlDN9LTCFNivBU8/PExCwr2b59sMAwajQMfMeTLTXXvcEi974BfWhURN3unln+Rfg7bO9psnupcnXuHl4tLzuOdtnHxi7qV06fuSyqgq6zrOOJFYP+iH0flLaunihEmR/fGvSkjOaanzfExeBB2iLlVNRHfvHs4dtAK0LfLNo1T3wMWdqD/IHMI9pyZW2IcVKWHgvW/MnuvOrocgsUN',
  signature: 'c717d3cb3353989e9232b2bb07bd6a34174afe65',
};

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CallbackError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('WeCom callback verification', () => {
  it('vector 1: URL verification decodes the URL-encoded echostr and returns the bare message', () => {
    const q = rawQuery(`/wecom/callback?msg_signature=${V1.signature}&timestamp=${V1.timestamp}&nonce=${V1.nonce}&echostr=${V1.echostrInUrl}`);
    expect(q.echostr).toBe('P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==');
    const msg = openSigned(keys, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce, encrypt: q.echostr }, at(1409659589));
    expect(msg).toBe('1616140317555161061');
  });

  it('vector 2: POST envelope signature, decryption and XML parsing', () => {
    const envelope = parseEnvelope(`<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><Encrypt><![CDATA[${V2.encrypt}]]></Encrypt></xml>`);
    const plain = openSigned(keys, { ...V2, encrypt: envelope.encrypt }, at(1409659813));
    expect(plain).toBe(V2_PLAIN);
    expect(Buffer.byteLength(plain)).toBe(284);
    // The 64-bit MsgId stays an exact string.
    expect(parseCallbackXml(plain)).toMatchObject({ FromUserName: 'mycreate', MsgType: 'text', Content: 'hello', MsgId: '4561255354251345929', AgentID: '218' });
  });

  it('vector 3: the encrypt path and its signature; round-trips', () => {
    expect(encrypt(AES_KEY, V3.msg, CORP, Buffer.from('a'.repeat(16)))).toBe(V3.encrypt);
    expect(getSignature(TOKEN, '1409659813', '1372623149', V3.encrypt)).toBe(V3.signature);
    expect(openSigned(keys, { signature: V3.signature, timestamp: '1409659813', nonce: '1372623149', encrypt: V3.encrypt }, at(1409659813))).toBe(V3.msg);
  });

  it('the callback driver reproduces vectors 1 and 2', () => {
    const driver = new WecomCallbackDriver('http://unused', { token: TOKEN, encodingAesKey: AES_KEY, corpId: CORP });
    expect(driver.sign(V1.timestamp, V1.nonce, decodeURIComponent(V1.echostrInUrl))).toBe(V1.signature);
    expect(driver.sign(V2.timestamp, V2.nonce, V2.encrypt)).toBe(V2.signature);
    expect(driver.encrypt(V3.msg, CORP, Buffer.from('a'.repeat(16)))).toBe(V3.encrypt);
  });

  it('a literal + in the query stays a +', () => {
    expect(rawQuery('/x?echostr=a+b%2Bc').echostr).toBe('a+b+c');
  });

  it('refuses a forged signature, in constant time and regardless of case or length', () => {
    expect(failure(() => openSigned(keys, { ...V2, signature: V2.signature.replace(/^4/, '5') }, at(1409659813)))).toBe('bad-signature');
    expect(failure(() => openSigned(keys, { ...V2, signature: 'short' }, at(1409659813)))).toBe('bad-signature');
    expect(signatureMatches(TOKEN, { ...V2, signature: V2.signature.toUpperCase() })).toBe(true);
  });

  it('refuses a timestamp outside the window (replays), with the injected clock', () => {
    expect(failure(() => openSigned(keys, V2, at(1409659813 + 301)))).toBe('stale-timestamp');
    expect(failure(() => openSigned(keys, V2, at(1409659813 - 301)))).toBe('stale-timestamp');
    expect(failure(() => openSigned(keys, V2, at(1409659813 + 299)))).toBe('accepted');
  });

  it('refuses a payload for another corp id', () => {
    expect(failure(() => openSigned({ ...keys, receiveId: 'wwsomeoneelse' }, V2, at(1409659813)))).toBe('wrong-receiver');
  });

  it('refuses missing parameters and undecryptable or malformed payloads', () => {
    expect(failure(() => openSigned(keys, { ...V2, nonce: undefined }, at(1409659813)))).toBe('missing-params');
    const garbage = Buffer.from('not a real ciphertext at all!!').toString('base64');
    expect(failure(() => openSigned(keys, { ...V2, encrypt: garbage, signature: getSignature(TOKEN, V2.timestamp, V2.nonce, garbage) }, at(1409659813)))).not.toBe('accepted');
    expect(failure(() => parseEnvelope('<xml><Encrypt><![CDATA[abc'))).toBe('malformed');
    expect(failure(() => parseEnvelope('{"encrypt": 3}'))).toBe('malformed');
    expect(parseEnvelope(`{"tousername":"${CORP}","encrypt":"abc","agentid":"218"}`)).toEqual({ encrypt: 'abc', toUserName: CORP });
    expect(failure(() => parseCallbackXml('<xml><Content>x</Content></xml>'))).toBe('malformed');
  });
});
