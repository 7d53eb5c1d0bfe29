/**
 * The official `dingtalk-stream` client with what Huiwu needs on top:
 * - the gateway base URL is configuration (`getEndpoint()` overridden; the SDK has a constant);
 * - reconnects with exponential backoff and full jitter instead of the SDK's fixed 1 s, one loop at
 *   a time (the SDK schedules a reconnect from both its error and its close handler);
 * - a `disconnect` system frame opens a new connection at once (the SDK only flags it);
 * - every CALLBACK frame is acknowledged, and a redelivered `messageId` is answered from a cache
 *   without being processed again (the Python SDK keeps ack results 5 minutes, so do we).
 * https://open.dingtalk.com/document/direction/stream-mode-protocol-access-description
 */
import { DWClient, type DWClientDownStream, EventAck } from 'dingtalk-stream';
import type { Logger } from 'pino';
import type WebSocket from 'ws';

export interface StreamClientOptions {
  clientId: string;
  clientSecret: string;
  apiBase: string;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  log: Logger;
}

/** Answers a callback: the value becomes the ACK's `response`. Throwing leaves the frame un-acked. */
export type CallbackHandler = (data: unknown, frame: DWClientDownStream) => Promise<unknown>;

const ACK_CACHE_MS = 5 * 60_000;
/** A connection that lived this long resets the backoff. */
const STABLE_MS = 10_000;

/** SDK internals we have to reach (declared private in its typings). */
interface SdkInternals {
  socket?: WebSocket;
  dw_url?: string;
  reconnectInterval: number;
  heartbeatIntervallId?: NodeJS.Timeout;
}

export class DingTalkStreamClient extends DWClient {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private attempt = 0;
  private openedAt = 0;
  private everConnected = false;
  private readonly acks = new Map<string, { at: number; response: unknown } | 'pending'>();
  /** Connections opened so far (tests and logs). */
  connections = 0;

  constructor(private readonly opts: StreamClientOptions) {
    super({ clientId: opts.clientId, clientSecret: opts.clientSecret, keepAlive: true, ua: 'huiwu' });
    // Our connect() does the waiting; the SDK's close handler just calls it.
    this.internals.reconnectInterval = 0;
    this.registerAllEventListener(() => ({ status: EventAck.SUCCESS }));
  }

  private get internals(): SdkInternals {
    return this as unknown as SdkInternals;
  }

  /** Subscribes a callback topic; the handler's result is sent back in the ACK. */
  onCallbackTopic(topic: string, handler: CallbackHandler): void {
    this.registerCallbackListener(topic, (frame) => void this.handleCallback(frame, handler));
  }

  override async getEndpoint(): Promise<this> {
    const res = await fetch(`${this.opts.apiBase.replace(/\/$/, '')}/v1.0/gateway/connections/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId: this.config.clientId, clientSecret: this.config.clientSecret, ua: this.config.ua, subscriptions: this.config.subscriptions }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await res.json().catch(() => null)) as { endpoint?: string; ticket?: string; code?: string; message?: string } | null;
    if (!res.ok || !body?.endpoint || !body.ticket) {
      throw new Error(`DingTalk gateway refused the connection (HTTP ${res.status} ${body?.code ?? ''} ${body?.message ?? ''})`.trim());
    }
    this.internals.dw_url = `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`;
    return this;
  }

  /** Starts (or resumes) the connection loop; called by us and by the SDK's close handler. */
  override async connect(): Promise<void> {
    if (this.stopped) return;
    const socket = this.internals.socket;
    // A late close of an old socket must not replace a healthy one.
    if (socket && (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING)) return;
    this.loop ??= this.run().finally(() => {
      this.loop = null;
    });
    return this.loop;
  }

  /** Starts connecting in the background: the app runs (and queues) even while DingTalk is unreachable. */
  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.internals.heartbeatIntervallId);
    this.disconnect();
  }

  override onDownStream(data: string): void {
    try {
      super.onDownStream(data);
    } catch (error) {
      this.opts.log.warn({ err: error }, 'DingTalk stream: unreadable frame ignored');
    }
  }

  override onSystem(frame: DWClientDownStream): void {
    super.onSystem(frame);
    if (frame.headers.topic === 'disconnect') {
      // The server closes this connection in about 10 s; open the next one now (new ticket).
      this.opts.log.info('DingTalk stream: server asked to reconnect');
      this.attempt = 0;
      this.internals.socket?.close();
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.openedAt && Date.now() - this.openedAt >= STABLE_MS) this.attempt = 0;
      this.openedAt = 0;
      const delay = this.everConnected || this.attempt > 0 ? this.backoff(this.attempt) : 0;
      this.attempt++;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.stopped) return;
      try {
        clearInterval(this.internals.heartbeatIntervallId);
        await this.getEndpoint();
        await this._connect();
        if (this.stopped) {
          this.disconnect();
          return;
        }
        this.connections++;
        this.everConnected = true;
        this.openedAt = Date.now();
        this.opts.log.info({ connections: this.connections }, 'DingTalk stream connected');
        return;
      } catch (error) {
        this.opts.log.warn({ err: error, attempt: this.attempt }, 'DingTalk stream: connection failed, retrying');
      }
    }
  }

  /** Full jitter: uniform in [0, min(max, base * 2^attempt)], at least the base on the first retry. */
  private backoff(attempt: number): number {
    const cap = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectBaseMs * 2 ** Math.min(attempt, 20));
    return Math.max(this.opts.reconnectBaseMs / 2, Math.random() * cap);
  }

  private async handleCallback(frame: DWClientDownStream, handler: CallbackHandler): Promise<void> {
    const id = frame.headers.messageId;
    this.pruneAcks();
    const known = this.acks.get(id);
    if (known === 'pending') return; // the first delivery is still being handled and will be acked
    if (known) {
      this.opts.log.debug({ messageId: id }, 'DingTalk stream: redelivered frame acked from cache');
      this.socketCallBackResponse(id, known.response);
      return;
    }
    this.acks.set(id, 'pending');
    try {
      const response = await handler(JSON.parse(frame.data) as unknown, frame);
      this.acks.set(id, { at: Date.now(), response });
      this.socketCallBackResponse(id, response);
    } catch (error) {
      // Not acked: DingTalk re-pushes it, and the durable de-duplication downstream keeps it single.
      this.acks.delete(id);
      this.opts.log.error({ err: error, messageId: id, topic: frame.headers.topic }, 'DingTalk stream: frame not accepted, left for redelivery');
    }
  }

  private pruneAcks(): void {
    const oldest = Date.now() - ACK_CACHE_MS;
    for (const [id, entry] of this.acks) {
      if (entry === 'pending') continue;
      if (entry.at >= oldest) break;
      this.acks.delete(id);
    }
  }
}
