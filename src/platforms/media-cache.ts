/**
 * Platform media ids of our `Media` rows (chart PNGs), used by the WeCom and DingTalk adapters:
 * one upload per Media row and platform channel, kept in memory for less than the platform's media
 * lifetime (WeCom temporary media: 3 days). Concurrent sends of the same image share one upload.
 * After a restart the next send uploads again, which only costs one call.
 */
export class MediaIdCache {
  private readonly entries = new Map<string, { mediaId: string; expiresAt: number }>();
  private readonly uploading = new Map<string, Promise<string>>();

  constructor(
    /** How long a platform media id is reused, counted from the start of its upload. */
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached platform media id for `key`, else the result of `upload` (cached). `fresh` = uploaded now. */
  async get(key: string, upload: () => Promise<string>): Promise<{ mediaId: string; fresh: boolean }> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) return { mediaId: hit.mediaId, fresh: false };
    let pending = this.uploading.get(key);
    if (!pending) {
      const startedAt = this.now();
      pending = upload()
        .then((mediaId) => {
          this.prune();
          this.entries.set(key, { mediaId, expiresAt: startedAt + this.ttlMs });
          return mediaId;
        })
        .finally(() => this.uploading.delete(key));
      this.uploading.set(key, pending);
    }
    return { mediaId: await pending, fresh: true };
  }

  /** Drops a media id the platform no longer accepts. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

/** A file name for an upload of a Media row (platforms want one, with a matching extension). */
export function mediaFilename(mediaId: string, mime: string): string {
  const ext = mime === 'image/jpeg' ? 'jpg' : mime === 'image/gif' ? 'gif' : 'png';
  return `${mediaId}.${ext}`;
}
