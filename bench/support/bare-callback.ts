/**
 * The baseline of the callback rows, as its own process: fastify with one route that does only
 * what any WeCom callback must (verify the signature, decrypt), with the app's own functions,
 * and answers 200. Keys from BARE_WECOM_TOKEN / BARE_WECOM_AES_KEY / BARE_WECOM_CORP_ID.
 */
import Fastify from 'fastify';
import { parseEnvelope } from '../../src/platforms/wecom/decode.js';
import { rawQuery } from '../../src/platforms/wecom/routes.js';
import { openSigned } from '../../src/platforms/wecom/verify.js';

const keys = { token: process.env.BARE_WECOM_TOKEN!, encodingAesKey: process.env.BARE_WECOM_AES_KEY!, receiveId: process.env.BARE_WECOM_CORP_ID!, maxAgeSeconds: 300 };
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'string' }, (_r, body, done) => done(null, body));
app.get('/healthz', async () => 'ok');
app.post('/decrypt', async (request, reply) => {
  const q = rawQuery(request.url);
  openSigned(keys, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce, encrypt: parseEnvelope(String(request.body)).encrypt }, new Date());
  return reply.code(200).send('');
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
