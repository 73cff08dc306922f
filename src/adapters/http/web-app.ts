import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// The web UI (web/, built into web/dist by `npm run build:web`) served at `/`: its files with their media
// types, and index.html for any other GET path outside the doors, so that the UI's own routes (/studies,
// /viewer/<uid> …) survive a reload (single-page application fallback).
//   GET /                 index.html
//   GET /:section         a file at the top of web/dist, or index.html
//   GET /:section/*       a file (assets/…), or index.html; never under the doors' prefixes below
// Routes are patterns with a parameter, so a door's own (static) routes always win over them.

/** Paths that belong to the doors: a miss there is the door's 404, never the UI's page. */
const DOOR_PREFIXES = ['/api', '/dicom-web', '/wado', '/fhir', '/health'];

/** web/dist of this package: three levels up from src/adapters/http (tsx) and from dist/adapters/http (built). */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm', // WebAssembly.instantiateStreaming insists on it
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Lantern</title>
<p>The web UI is not built. Run <code>npm run build:web</code> and reload. The APIs under /api and /dicom-web work
without it.</p>`;

export function registerWebApp(app: FastifyInstance, root: string = WEB_DIST): void {
  const base = resolve(root);
  const handler = (request: FastifyRequest, reply: FastifyReply) => serve(base, request, reply);
  app.get('/', handler);
  app.get('/:section', handler);
  app.get('/:section/*', handler);
}

function notFound(request: FastifyRequest, reply: FastifyReply, path: string): FastifyReply {
  return reply
    .status(404)
    .type('application/problem+json')
    .send({
      type: 'about:blank',
      title: 'not-found',
      status: 404,
      detail: `no route ${request.method} ${path}`,
    });
}

async function serve(root: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const rawPath = request.url.split('?')[0]!;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return notFound(request, reply, rawPath);
  }
  if (DOOR_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
    return notFound(request, reply, rawPath);
  }
  // Resolved against the root and checked to stay inside it: no `..`, no absolute paths, no NUL tricks.
  const file = resolve(root, `.${path}`);
  const inside = file.startsWith(root + sep) && !path.includes('\0');
  if (inside && path !== '/') {
    const found = await stat(file).catch(() => undefined);
    if (found?.isFile()) return sendFile(request, reply, file, found.size, found.mtimeMs);
    // A missing asset (stale hash, typo) is a 404, not the page: a script would not parse it. Other paths with
    // dots are the UI's own (/viewer/1.2.840…: UIDs), so only assets and known file types count as files.
    if (path.startsWith('/assets/') || MEDIA_TYPES[extname(path).toLowerCase()]) {
      return notFound(request, reply, rawPath);
    }
  } else if (!inside && path !== '/') {
    return notFound(request, reply, rawPath);
  }
  const index = join(root, 'index.html');
  const page = await stat(index).catch(() => undefined);
  if (!page?.isFile()) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
  return sendFile(request, reply, index, page.size, page.mtimeMs);
}

function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: string,
  size: number,
  mtimeMs: number,
): FastifyReply {
  const etag = `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
  // Vite names assets by content hash, so they never change under one name; index.html must be revalidated.
  const immutable = file.includes(`${sep}assets${sep}`);
  reply
    .header('etag', etag)
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .type(MEDIA_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  reply.header('content-length', size);
  if (request.method === 'HEAD') return reply.send();
  return reply.send(createReadStream(file));
}
