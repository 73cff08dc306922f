// The HTTP client of the DICOMweb bench: node:http over keep-alive connections (one Agent a measurement, so
// repetitions reuse one connection), with the time to the response headers, to the first body byte and to the
// end of the body. The body is read in full and counted; it is kept only when asked for. A server that wants
// credentials gets them on every request to its origin, as a configured client sends them (see `useCredentials`).
import { Agent, request } from 'node:http';

const credentials = new Map<string, Record<string, string>>();

/** Every later request to the origin of `url` carries `headers` (Lantern's `Authorization: Bearer <key>`). */
export function useCredentials(url: string, headers: Record<string, string>): void {
  credentials.set(new URL(url).origin, headers);
}

/** The headers `useCredentials` set for the origin of `url` (none for a server that wants none). */
export function credentialsFor(url: string): Record<string, string> {
  return { ...credentials.get(new URL(url).origin) };
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  contentType: string;
  bytes: number;
  /** From the request start to the status line and headers. */
  headersMs: number;
  /** From the request start to the first byte of the body (the headers' time for an empty body). */
  firstByteMs: number;
  /** From the request start to the last byte of the body. */
  totalMs: number;
  /** The body, when `keepBody` was set. */
  body?: Buffer;
  /** The first kilobyte of the body, for error messages. */
  head: Buffer;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** The request body: sent with a Content-Length. */
  body?: Buffer;
  keepBody?: boolean;
  timeoutMs: number;
}

/** An agent that keeps its connections open; `sockets` is how many requests may run at once. */
export function keepAliveAgent(sockets = 1): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

function once(url: URL, agent: Agent, options: RequestOptions): Promise<Response> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const headers: Record<string, string> = { ...credentials.get(url.origin), ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(options.body.length);
    const req = request(
      url,
      { method: options.method ?? 'GET', agent, headers, timeout: options.timeoutMs },
      (res) => {
        const headersMs = performance.now() - start;
        let firstByteMs: number | undefined;
        let bytes = 0;
        const chunks: Buffer[] = [];
        let head = Buffer.alloc(0);
        res.on('data', (chunk: Buffer) => {
          firstByteMs ??= performance.now() - start;
          bytes += chunk.length;
          if (options.keepBody === true) chunks.push(chunk);
          if (head.length < 1024) head = Buffer.concat([head, chunk.subarray(0, 1024 - head.length)]);
        });
        res.on('error', reject);
        res.on('end', () => {
          const out: Response = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            contentType: res.headers['content-type'] ?? '',
            bytes,
            headersMs,
            firstByteMs: firstByteMs ?? headersMs,
            totalMs: performance.now() - start,
            head,
          };
          if (options.keepBody === true) out.body = Buffer.concat(chunks);
          resolve(out);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * One request. A GET that fails because the server had just closed the idle keep-alive connection (Orthanc
 * closes them after 1 s) is tried once more on a new connection.
 */
export async function send(url: string, agent: Agent, options: RequestOptions): Promise<Response> {
  try {
    return await once(new URL(url), agent, options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const stale = code === 'ECONNRESET' || code === 'EPIPE';
    if (!stale || (options.method ?? 'GET') !== 'GET') throw error;
    return once(new URL(url), agent, options);
  }
}

/** Throws unless the status is `expected` (2xx by default) and the content type starts with `type`. */
export function check(response: Response, what: string, type?: string, expected?: number[]): Response {
  const ok =
    expected === undefined
      ? response.status >= 200 && response.status < 300
      : expected.includes(response.status);
  if (!ok) {
    const body = response.head.toString('utf8', 0, 300);
    throw new Error(`${what}: HTTP ${response.status} ${body}`.trim());
  }
  if (type !== undefined && !response.contentType.toLowerCase().startsWith(type)) {
    throw new Error(`${what}: Content-Type ${response.contentType}, expected ${type}`);
  }
  return response;
}

/** The boundary parameter of a multipart Content-Type. */
export function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** The number of body parts of a multipart body: the delimiters, not counting the close delimiter. */
export function countParts(body: Buffer, boundary: string): number {
  const delimiter = Buffer.from(`--${boundary}`);
  let count = 0;
  for (let at = body.indexOf(delimiter); at >= 0; at = body.indexOf(delimiter, at + delimiter.length)) {
    const after = at + delimiter.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) break; // "--": the close delimiter
    count++;
  }
  return count;
}
