import { makePng } from './png';

// Demo banners drawn in code, so the repository carries no binary pictures. Each post gets its
// own colours and motif, which is enough to tell thumbnails apart in the popup.

type Motif = 'circles' | 'stripes' | 'waves' | 'dots' | 'rings' | 'grid';
interface Banner {
  from: number;
  to: number;
  accent: number;
  motif: Motif;
}

export const DEMO_PICTURES = {
  'apel-asn': { from: 0x1e3a8a, to: 0x0ea5e9, accent: 0xffffff, motif: 'circles' },
  posyandu: { from: 0x9d174d, to: 0xf9a8d4, accent: 0xfff1f2, motif: 'dots' },
  imunisasi: { from: 0x115e59, to: 0x5eead4, accent: 0xf0fdfa, motif: 'rings' },
  beasiswa: { from: 0x4c1d95, to: 0xa78bfa, accent: 0xfef3c7, motif: 'stripes' },
  'jalan-desa': { from: 0x1f2937, to: 0x9ca3af, accent: 0xf59e0b, motif: 'waves' },
  'panen-raya': { from: 0x166534, to: 0xfacc15, accent: 0xfef9c3, motif: 'waves' },
  umkm: { from: 0x9a3412, to: 0xfdba74, accent: 0xfff7ed, motif: 'circles' },
  musrenbang: { from: 0x0f172a, to: 0x38bdf8, accent: 0xe0f2fe, motif: 'grid' },
  'donor-darah': { from: 0x7f1d1d, to: 0xf87171, accent: 0xfff1f2, motif: 'rings' },
} as const satisfies Record<string, Banner>;

export type PictureName = keyof typeof DEMO_PICTURES;

// Integer blend of two 0xRRGGBB colours, `a` in 0..256: floats made startup several times slower.
function blend(c: number, d: number, a: number): number {
  const r = (((c >>> 16) & 0xff) * (256 - a) + ((d >>> 16) & 0xff) * a) >> 8;
  const g = (((c >>> 8) & 0xff) * (256 - a) + ((d >>> 8) & 0xff) * a) >> 8;
  const b = ((c & 0xff) * (256 - a) + (d & 0xff) * a) >> 8;
  return (r << 16) | (g << 8) | b;
}

type AlphaFn = (x: number, y: number) => number;

/** How strongly (0..256) the accent covers each pixel; picked once per banner, not per pixel. */
function motifAlpha(motif: Motif, w: number, h: number): AlphaFn {
  switch (motif) {
    case 'circles': {
      const inside = (x: number, y: number, cx: number, cy: number, r: number) => (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
      return (x, y) =>
        inside(x, y, w * 0.82, h * 0.3, 210)
          ? 56
          : inside(x, y, w * 0.65, h * 0.85, 140)
            ? 40
            : inside(x, y, w * 0.95, h * 0.9, 90)
              ? 72
              : 0;
    }
    case 'stripes':
      return (x, y) => (((x + y) / 48) % 3 < 1 ? 36 : 0);
    case 'waves':
      return (x, y) => (y > h * 0.62 + WAVE[x % WAVE.length]! ? 115 : y > h * 0.5 + WAVE[(x * 3 + 200) % WAVE.length]! * 0.8 ? 51 : 0);
    case 'dots':
      return (x, y) => {
        const dx = (x % 60) - 30;
        const dy = (y % 60) - 30;
        return dx * dx + dy * dy < 100 ? 77 : 0;
      };
    case 'rings': {
      const cx = w * 0.78;
      const cy = h * 0.5;
      return (x, y) => {
        const d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        return d2 < 300 * 300 && Math.floor(Math.sqrt(d2) / 30) % 2 === 0 ? 46 : 0;
      };
    }
    case 'grid':
      return (x, y) => (x % 80 < 3 || y % 80 < 3 ? 38 : 0);
  }
}

// One period of the hills, sampled once instead of calling Math.sin per pixel.
const WAVE = Array.from({ length: 597 }, (_, i) => 36 * Math.sin((i / 597) * 2 * Math.PI));

/** A 1200×630 banner by default: the size X, Facebook and WhatsApp show link cards at. */
export function renderBanner(banner: Banner, width = 1200, height = 630): Buffer {
  const { from, to, accent, motif } = banner;
  const gradient = Array.from({ length: 256 }, (_, i) => blend(from, to, i));
  const alpha = motifAlpha(motif, width, height);
  const kx = (255 * 0.6) / width;
  const ky = (255 * 0.4) / height;
  // A white card in the lower left stands in for a title block, as on real agency banners.
  const card = { x0: width * 0.06, x1: width * 0.55, y0: height * 0.68, y1: height * 0.86 };
  return makePng(
    width,
    height,
    (x, y) => {
      let c = gradient[(x * kx + y * ky) | 0]!;
      const a = alpha(x, y);
      if (a > 0) c = blend(c, accent, a);
      if (x >= card.x0 && x < card.x1 && y >= card.y0 && y < card.y1) c = blend(c, 0xffffff, 218);
      return c;
    },
    { level: 1 },
  );
}

let rendered: ReadonlyMap<string, Buffer> | undefined;

/** All demo banners as `<name>.png` → PNG bytes, drawn once per process. */
export function demoPictures(): ReadonlyMap<string, Buffer> {
  rendered ??= new Map(Object.entries(DEMO_PICTURES).map(([name, banner]) => [`${name}.png`, renderBanner(banner)]));
  return rendered;
}
