/**
 * Fake DingTalk stream server (platforms.md B1, part D): single-use 90 s tickets checked on the
 * upgrade, B1 frames (`data` a JSON string, `time` ms as a string), ACKs tracked by messageId,
 * un-acked frames pushed again, `ping` echo checks, `disconnect` then close after a grace period,
 * several connections with a random pick per push.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

export interface Ack {
  code: number;
  headers: Record<string, string>;
  message?: string;
  data?: string;
}

interface Pending {
  frame: Frame;
  tries: number;
  timer?: NodeJS.Timeout;
  resolve: (ack: Ack) => void;
}

export interface Frame {
  specVersion: '1.0';
  type: 'SYSTEM' | 'EVENT' | 'CALLBACK';
  headers: Record<string, string>;
  data: string;
}

export class FakeStreamServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();
  private queue: Frame[] = [];
  readonly sockets = new Set<WebSocket>();
  /** Every ACK received, in order (including duplicates). */
  readonly acks: Ack[] = [];
  /** Connections accepted so far. */
  accepted = 0;
  /** The next N ACKs are "lost": ignored, so the frame is pushed again. */
  dropAcks = 0;
  /** Re-push an un-acked frame after this long (DingTalk re-pushes unanswered pushes). */
  redeliverAfterMs = 1500;
  ticketTtlMs = 90_000;

  constructor(private readonly appId: string) {
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  issueTicket(): string {
    const ticket = randomUUID();
    this.tickets.set(ticket, Date.now() + this.ticketTtlMs);
    return ticket;
  }

  /** Upgrade handler for `/connect?ticket=…`: a missing, used or expired ticket is refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ticket = new URL(req.url ?? '/', 'http://x').searchParams.get('ticket') ?? '';
    const expires = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!expires || expires < Date.now()) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Pushes a frame to a random open connection (queued while there is none); resolves with its ACK. */
  push(type: Frame['type'], topic: string, data: unknown, messageId = `${randomUUID().slice(0, 8)}_${Date.now().toString(16)}`): Promise<Ack> {
    const frame: Frame = {
      specVersion: '1.0',
      type,
      headers: { appId: this.appId, connectionId: 'fake', contentType: 'application/json', messageId, time: String(Date.now()), topic },
      data: JSON.stringify(data),
    };
    return new Promise<Ack>((resolve) => {
      this.pending.set(messageId, { frame, tries: 0, resolve });
      this.deliver(frame);
    });
  }

  /** Sends `ping` on every connection and resolves when each echoed the same data. */
  async ping(): Promise<void> {
    const opaque = randomUUID();
    const open = [...this.sockets].filter((s) => s.readyState === WebSocket.OPEN);
    await Promise.all(
      open.map((ws) => {
        const messageId = `ping-${randomUUID()}`;
        const frame: Frame = { specVersion: '1.0', type: 'SYSTEM', headers: { messageId, topic: 'ping', contentType: 'application/json', time: String(Date.now()) }, data: JSON.stringify({ opaque }) };
        return new Promise<void>((resolve, reject) => {
          this.pending.set(messageId, {
            frame,
            tries: 1,
            resolve: (ack) => (ack.data === frame.data ? resolve() : reject(new Error(`ping echo mismatch: ${ack.data}`))),
          });
          ws.send(JSON.stringify(frame));
        });
      }),
    );
  }

  /** Asks every client to reconnect, then closes those connections after `graceMs`. */
  sendDisconnect(graceMs: number): void {
    for (const ws of this.sockets) {
      ws.send(JSON.stringify({ specVersion: '1.0', type: 'SYSTEM', headers: { topic: 'disconnect', contentType: 'application/json', time: String(Date.now()) }, data: JSON.stringify({ reason: 'server restart' }) }));
      setTimeout(() => ws.terminate(), graceMs).unref();
    }
  }

  /** Cuts every connection without a goodbye (network failure). */
  dropConnections(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  openCount(): number {
    return [...this.sockets].filter((s) => s.readyState === WebSocket.OPEN).length;
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  private onConnection(ws: WebSocket): void {
    this.accepted++;
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (raw) => this.onAck(raw.toString()));
    const queued = this.queue;
    this.queue = [];
    for (const frame of queued) this.deliver(frame);
  }

  private deliver(frame: Frame): void {
    const pending = this.pending.get(frame.headers.messageId!);
    if (!pending) return;
    const open = [...this.sockets].filter((s) => s.readyState === WebSocket.OPEN);
    if (open.length === 0) {
      this.queue.push(frame);
      return;
    }
    pending.tries++;
    open[Math.floor(Math.random() * open.length)]!.send(JSON.stringify({ ...frame, headers: { ...frame.headers, time: String(Date.now()) } }));
    clearTimeout(pending.timer);
    if (pending.tries < 6) pending.timer = setTimeout(() => this.deliver(frame), this.redeliverAfterMs);
  }

  private onAck(raw: string): void {
    let ack: Ack;
    try {
      ack = JSON.parse(raw) as Ack;
    } catch {
      return;
    }
    this.acks.push(ack);
    const id = ack.headers?.messageId;
    const pending = id ? this.pending.get(id) : undefined;
    if (!pending) return;
    if (this.dropAcks > 0 && pending.frame.type !== 'SYSTEM') {
      this.dropAcks--;
      return;
    }
    clearTimeout(pending.timer);
    this.pending.delete(id!);
    pending.resolve(ack);
  }
}
