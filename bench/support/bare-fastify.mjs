// The baseline process of the memory and start-up rows: fastify with one /healthz route, nothing else.
// Plain JavaScript run by node directly (no loader), so it is the floor a Node web process costs.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/healthz', async () => 'ok');
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('bare fastify ready');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
