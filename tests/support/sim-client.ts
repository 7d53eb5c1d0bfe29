/**
 * Drives the simulator through its public JSON API, as a user would through the page.
 * Waiting is event-driven: new messages by long polling, card changes by the adapter's events.
 */
import { once } from 'node:events';
import type { Card } from '../../cards/model.js';
import type { SimulatorAdapter } from '../../src/platforms/simulator/adapter.js';

export interface SimMessage {
  id: number;
  from: string;
  text?: string;
  card?: Card;
  /** URL of an image message; `text` is its alt text. */
  image?: string;
  at: string;
}

export class SimClient {
  constructor(
    readonly baseUrl: string,
    private readonly adapter?: SimulatorAdapter,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** Sends `text` as user `from`; returns the new message id. */
  async say(conversation: string, from: string, text: string): Promise<number> {
    const res = await this.request<{ id: number; error?: string }>('POST', '/sim/api/messages', { conversation, from, text });
    if (res.status !== 202) throw new Error(`say failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  async click(cardId: string, from: string, action: string, values?: Record<string, string>) {
    return this.request<{ accepted?: boolean; reason?: string; message?: string; error?: string }>('POST', '/sim/api/card-actions', {
      cardId,
      from,
      action,
      ...(values ? { values } : {}),
    });
  }

  async messages(conversation: string, after = 0, waitMs = 0): Promise<SimMessage[]> {
    const res = await this.request<SimMessage[]>('GET', `/sim/api/conversations/${conversation}/messages?after=${after}&wait=${waitMs}`);
    if (res.status !== 200) throw new Error(`messages failed: ${res.status}`);
    return res.body;
  }

  /** The first bot message after `after` that matches, waiting for it up to `timeoutMs`. */
  async nextBotMessage(conversation: string, after: number, match: (m: SimMessage) => boolean = () => true, timeoutMs = 10_000): Promise<SimMessage> {
    const deadline = Date.now() + timeoutMs;
    let cursor = after;
    while (Date.now() < deadline) {
      const batch = await this.messages(conversation, cursor, Math.min(5000, Math.max(1, deadline - Date.now())));
      for (const m of batch) {
        cursor = Math.max(cursor, m.id);
        if (m.from === 'bot' && match(m)) return m;
      }
    }
    throw new Error(`no matching bot message in ${conversation} after #${after} within ${timeoutMs} ms`);
  }

  /** Sends a command and returns the bot's first text reply after it (cards it posts are skipped). */
  async ask(conversation: string, from: string, text: string, timeoutMs = 10_000): Promise<SimMessage> {
    const id = await this.say(conversation, from, addressed(conversation, text));
    return this.nextBotMessage(conversation, id, (m) => m.text !== undefined, timeoutMs);
  }

  /** Waits until the card `cardId` in `conversation` satisfies `check` (in-process apps only). */
  async waitForCard(conversation: string, cardId: string, check: (card: Card) => boolean, timeoutMs = 10_000): Promise<Card> {
    if (!this.adapter) throw new Error('waitForCard needs the in-process adapter');
    const signal = AbortSignal.timeout(timeoutMs);
    for (;;) {
      // Subscribe before looking, so a change between the look and the wait is not missed.
      const changed = once(this.adapter.changes, 'change', { signal });
      changed.catch(() => undefined);
      const card = (await this.messages(conversation)).find((m) => m.card?.id === cardId)?.card;
      if (card && check(card)) return card;
      try {
        await changed;
      } catch {
        throw new Error(`card ${cardId} did not reach the expected state within ${timeoutMs} ms: ${JSON.stringify(card?.state)}`);
      }
    }
  }
}

/** In a group, a command is for the bot only with its @mention (or a leading `/`), as on the real platforms. */
export function addressed(conversation: string, text: string): string {
  return conversation.startsWith('dm-') || text.includes('@会务助手') || /^\s*[/／]/.test(text) ? text : `@会务助手 ${text}`;
}
