import type { RenderOptions, Viewport, VoiWindow } from '../../lib/imaging/index.js';
import { invalid } from '../../platform/errors.js';

// Query parameters of the rendered resources (PS3.18 8.3.5.1): window, viewport, quality. Others that PS3.18
// defines (annotation, charset, iccprofile) are accepted and ignored; see docs/dicomweb-conformance.md.

const FUNCTIONS: Record<string, VoiWindow['voiFunction']> = {
  linear: 'LINEAR',
  'linear-exact': 'LINEAR_EXACT',
  sigmoid: 'SIGMOID',
};

export type RenderedQuery = Record<string, string | string[] | undefined>;

function single(query: RenderedQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw invalid(`${name} is given more than once`, { parameter: name });
  return value;
}

export function numbers(text: string, name: string): number[] {
  const values = text.split(',').map((v) => v.trim());
  if (values.some((v) => v === '' || !Number.isFinite(Number(v)))) {
    throw invalid(`${name} must be comma-separated numbers`, { parameter: name });
  }
  return values.map(Number);
}

/** window=center,width,function (PS3.18 8.3.5.1.4); width must be at least 1. */
export function parseWindow(text: string | undefined): VoiWindow | undefined {
  if (text === undefined) return undefined;
  const [center, width, fn = 'linear', ...rest] = text.split(',').map((v) => v.trim());
  const voiFunction = FUNCTIONS[fn.toLowerCase()];
  const [c, w] = numbers(`${center},${width}`, 'window');
  if (rest.length > 0 || !voiFunction || c === undefined || w === undefined || w < 1) {
    throw invalid('window must be center,width[,linear|linear-exact|sigmoid] with width ≥ 1', {
      parameter: 'window',
    });
  }
  return { center: c, width: w, voiFunction };
}

/** viewport=vw,vh[,sx,sy,sw,sh] (PS3.18 8.3.5.1.3). */
export function parseViewport(text: string | undefined): Viewport | undefined {
  if (text === undefined) return undefined;
  const values = numbers(text, 'viewport');
  const [vw, vh, sx, sy, sw, sh] = values;
  const size = (n: number | undefined) => n !== undefined && Number.isInteger(n) && n >= 1 && n <= 8192;
  if ((values.length !== 2 && values.length !== 6) || !size(vw) || !size(vh)) {
    throw invalid('viewport must be vw,vh or vw,vh,sx,sy,sw,sh with sizes from 1 to 8192', {
      parameter: 'viewport',
    });
  }
  if (values.length === 2) return { width: vw!, height: vh! };
  if (sx! < 0 || sy! < 0 || sw === 0 || sh === 0) {
    throw invalid('viewport region needs sx,sy ≥ 0 and non-zero sw,sh', { parameter: 'viewport' });
  }
  return { width: vw!, height: vh!, region: { x: sx!, y: sy!, width: sw!, height: sh! } };
}

/** quality=1..100 (PS3.18 8.3.5.1.2). */
export function parseQuality(text: string | undefined, name = 'quality'): number | undefined {
  if (text === undefined) return undefined;
  const quality = Number(text);
  if (!/^\d{1,3}$/.test(text.trim()) || quality < 1 || quality > 100) {
    throw invalid(`${name} must be an integer from 1 to 100`, { parameter: name });
  }
  return quality;
}

export function renderedOptions(query: RenderedQuery): Omit<RenderOptions, 'format'> {
  const window = parseWindow(single(query, 'window'));
  const viewport = parseViewport(single(query, 'viewport'));
  const quality = parseQuality(single(query, 'quality'));
  return {
    ...(window ? { window } : {}),
    ...(viewport ? { viewport } : {}),
    ...(quality ? { quality } : {}),
  };
}
