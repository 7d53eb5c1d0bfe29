/** Reads the admission code inside a card's QR picture (served by the simulator) the way a scanner does. */
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import type { Card } from '../../cards/model.js';

// jsqr is CommonJS: its default export is the decoder function itself at run time.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

export async function codeOnCard(baseUrl: string, card: Card): Promise<string> {
  if (!card.image) throw new Error(`card ${card.id} has no picture`);
  const res = await fetch(`${baseUrl}/sim/media/${card.image.mediaId}`);
  if (res.headers.get('content-type') !== 'image/png') throw new Error(`card ${card.id}: picture is ${res.headers.get('content-type')}`);
  const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!found?.data.startsWith('HW1')) throw new Error(`card ${card.id}: no admission code in the picture`);
  return found.data;
}
