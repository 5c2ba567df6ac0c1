// Writes the PWA icons (PNG, no image library): a white medical cross on the theme red.
// Run once with `npx tsx scripts/gen-icons.ts`; the PNGs are committed under pwa/public/icons.
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RED: [number, number, number] = [0xb9, 0x1c, 0x1c];
const WHITE: [number, number, number] = [0xff, 0xff, 0xff];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** maskable: full-bleed background and the cross inside the 80% safe zone; otherwise a rounded square. */
function icon(size: number, maskable: boolean): Buffer {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const radius = maskable ? 0 : size * 0.18;
  const arm = size * (maskable ? 0.12 : 0.14); // half-width of the cross bars
  const reach = size * (maskable ? 0.26 : 0.32); // half-length of the bars
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      // rounded-square mask
      let inside = true;
      if (radius > 0) {
        const dx = Math.max(radius - px, 0, px - (size - radius));
        const dy = Math.max(radius - py, 0, py - (size - radius));
        inside = dx * dx + dy * dy <= radius * radius;
      }
      const inCross = (Math.abs(px - c) <= arm && Math.abs(py - c) <= reach) || (Math.abs(py - c) <= arm && Math.abs(px - c) <= reach);
      const col = inCross ? WHITE : RED;
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = col[0];
      raw[o + 1] = col[1];
      raw[o + 2] = col[2];
      raw[o + 3] = inside ? 255 : 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const dir = join(import.meta.dirname, '..', 'pwa', 'public', 'icons');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'icon-192.png'), icon(192, false));
writeFileSync(join(dir, 'icon-512.png'), icon(512, false));
writeFileSync(join(dir, 'maskable-512.png'), icon(512, true));
writeFileSync(join(dir, 'apple-touch-icon.png'), icon(180, true));
writeFileSync(
  join(dir, 'favicon.svg'),
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#b91c1c"/>' +
    '<path d="M13.5 6h5v7.5H26v5h-7.5V26h-5v-7.5H6v-5h7.5z" fill="#fff"/></svg>\n',
);
console.log('icons written to', dir);
