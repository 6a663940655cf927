// Small valid pictures made in Node, so tests need no binary files and no network.
import { makePng } from '../../../server/demo/png';
import type { PageFile } from './page-scripts';

/** A solid-colour RGB PNG. */
export function pngBytes(width = 8, height = 8, rgb: [number, number, number] = [29, 155, 240]): Buffer {
  return Buffer.from(makePng(width, height, () => rgb));
}

/** A PNG ready to hand to the page scripts. */
export function pngPageFile(name = 'siar.png', width = 8, height = 8): PageFile {
  return { name, type: 'image/png', base64: pngBytes(width, height).toString('base64') };
}
