/**
 * What people write travels through Redis sealed. An inbound job holds the sender's id next to their
 * words (a message's text, a card's form values: anonymous survey answers among them), and Redis
 * keeps every write in its append-only file until the next rewrite, long after the job itself is
 * removed. So the job carries those words AES-256-GCM encrypted under a key derived from the PII
 * key: what lingers in Redis is unreadable without the key, which neither Redis nor the database holds.
 */
import { hkdfSync } from 'node:crypto';
import type { InboundEvent } from '../platforms/types.js';
import { PiiCipher } from '../services/pii.js';
import type { InboundJob } from './queues.js';

interface SealedContent {
  text?: string;
  values?: Record<string, string>;
  /** A sent file's platform reference (a WeCom bot file's URL carries its decryption key). */
  remote?: string;
}

export class InboundSeal {
  private readonly cipher: PiiCipher;

  constructor(piiKey: Buffer) {
    this.cipher = new PiiCipher(Buffer.from(hkdfSync('sha256', piiKey, Buffer.alloc(0), 'huiwu-inbound-content', 32)));
  }

  /** The job for `event`, its text or form values replaced by a sealed copy. */
  seal(event: InboundEvent): InboundJob {
    const remote = event.kind === 'message' ? event.file?.remote : undefined;
    const content: SealedContent = event.kind === 'message' ? { text: event.text, ...(remote ? { remote } : {}) } : { values: event.values };
    const bare: InboundEvent =
      event.kind === 'message' ? { ...event, text: '', ...(event.file ? { file: { ...event.file, remote: remote ? '' : undefined } } : {}) } : { ...event, values: {} };
    return { event: bare, sealed: this.cipher.encrypt(JSON.stringify(content)) };
  }

  /** The event as the adapter handed it over (a job queued before sealing existed is returned as is). */
  open(job: InboundJob): InboundEvent {
    if (!job.sealed) return job.event;
    const content = JSON.parse(this.cipher.decrypt(job.sealed)) as SealedContent;
    if (job.event.kind !== 'message') return { ...job.event, values: content.values ?? {} };
    const file = job.event.file && content.remote ? { ...job.event.file, remote: content.remote } : job.event.file;
    return { ...job.event, text: content.text ?? '', ...(file ? { file } : {}) };
  }
}
