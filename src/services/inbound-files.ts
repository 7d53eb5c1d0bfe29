/**
 * The bytes of a file or image someone sent, as services see them: from the Media table when the
 * adapter stored them already (the simulator), else downloaded from the platform through its
 * adapter's `fetchInboundFile` (WeCom, DingTalk), at most `maxBytes`. Only when used: a file nobody
 * attaches is never downloaded.
 */
import type { FetchedFile, InboundFile, PlatformAdapter, PlatformName } from '../platforms/types.js';
import { InboundFileError } from '../platforms/types.js';
import type { MediaStore } from './media.js';

export { InboundFileError };

export class InboundFiles {
  constructor(
    private readonly media: Pick<MediaStore, 'get'>,
    private readonly adapters: ReadonlyArray<Pick<PlatformAdapter, 'name' | 'fetchInboundFile'>>,
  ) {}

  /** Throws InboundFileError (`unknown` when neither the Media table nor the platform has it). */
  async read(platform: PlatformName, file: InboundFile, maxBytes: number): Promise<FetchedFile> {
    if (file.mediaId) {
      const stored = await this.media.get(file.mediaId);
      if (!stored) throw new InboundFileError('unknown', `no Media row ${file.mediaId}`);
      if (stored.data.length > maxBytes) throw new InboundFileError('too-large', `${stored.data.length} bytes`);
      return { data: stored.data, mime: stored.mime };
    }
    const adapter = this.adapters.find((a) => a.name === platform);
    if (!file.remote || !adapter?.fetchInboundFile) throw new InboundFileError('unknown', `no way to fetch a ${platform} file`);
    return adapter.fetchInboundFile(file, maxBytes);
  }
}
