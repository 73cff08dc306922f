import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { RequestContext } from '../../platform/context.js';
import { fhirError, FhirError, issue } from './operation-outcome.js';
import type { FhirEnv, ResourceHandler, SearchQuery } from './resource-handler.js';

// Search across every type (R4 search.html): the parameters every type shares, paging, _include and
// _revinclude, _summary=count, and what happens to parameters Lantern does not know.

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 200;
/** _revinclude reads at most this many resources per match, so one search stays bounded. */
const MAX_REVINCLUDE = 50;

const COMMON = new Set([
  '_count',
  '_offset',
  '_sort',
  '_include',
  '_revinclude',
  '_summary',
  '_format',
  '_pretty',
  '_total',
]);

export interface SearchRequest {
  query: Record<string, string | string[] | undefined>;
  /** Prefer: handling=strict (R4 search.html#errors): unknown parameters are an error, not a warning. */
  strict: boolean;
  /** The URL of this search without paging, for the Bundle's links. */
  selfUrl: string;
}

function single(name: string, values: string[]): string {
  if (values.length > 1) throw fhirError(400, 'invalid', `${name} given more than once`, name);
  return values[0]!;
}

function whole(name: string, value: string, max: number): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) > max) {
    throw fhirError(400, 'invalid', `${name} must be a whole number from 0 to ${max}`, name);
  }
  return Number(value);
}

export async function searchBundle(
  handlers: ReadonlyMap<string, ResourceHandler>,
  handler: ResourceHandler,
  ctx: RequestContext,
  request: SearchRequest,
  env: FhirEnv,
): Promise<Bundle> {
  const search = handler.search;
  if (!search) throw fhirError(405, 'not-supported', `${handler.type} cannot be searched`);
  const warnings: OperationOutcomeIssue[] = [];
  const refuse = (text: string, name: string) => {
    if (request.strict) throw fhirError(400, 'not-supported', text, name);
    warnings.push(issue('not-supported', `${text}; ignored`, name, 'warning'));
  };
  const params = new Map<string, string[]>();
  const common = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(request.query)) {
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    if (COMMON.has(name)) common.set(name, values);
    else if (name in search.params) params.set(name, values);
    else refuse(`${handler.type} has no search parameter '${name}' in Lantern (see /fhir/metadata)`, name);
  }
  const summary = common.has('_summary') ? single('_summary', common.get('_summary')!) : undefined;
  if (summary !== undefined && summary !== 'count' && summary !== 'false')
    refuse(`_summary=${summary} is not supported (count)`, '_summary');
  const countOnly = summary === 'count';
  const query: SearchQuery = {
    params,
    count: countOnly
      ? 0
      : common.has('_count')
        ? whole('_count', single('_count', common.get('_count')!), MAX_COUNT)
        : DEFAULT_COUNT,
    offset: common.has('_offset') ? whole('_offset', single('_offset', common.get('_offset')!), 1e9) : 0,
  };
  if (common.has('_sort')) {
    const sort = single('_sort', common.get('_sort')!);
    const keys = sort.split(',').map((k) => k.trim());
    const unsupported = keys.filter((k) => !search.sorts.includes(k));
    if (unsupported.length === 0)
      query.sort = keys.map((k) => ({ key: k.replace(/^-/, ''), descending: k.startsWith('-') }));
    else
      refuse(
        `_sort=${sort}: ${handler.type} cannot be sorted by ${unsupported.join(', ')} (${
          search.sorts.join(', ') || 'one fixed order only'
        })`,
        '_sort',
      );
  }
  const page = await search.run(ctx, query, env);
  const entries: BundleEntry[] = page.resources.map((resource) => ({
    fullUrl: `${env.fhirBase}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' },
  }));
  if (!countOnly) {
    const includes = await included(handlers, handler, ctx, page.resources, common, env, refuse);
    entries.push(...includes);
  }
  if (warnings.length) {
    entries.push({
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: { resourceType: 'OperationOutcome', issue: warnings },
      search: { mode: 'outcome' },
    });
  }
  const link = [{ relation: 'self', url: pageUrl(request.selfUrl, query.count, query.offset) }];
  if (!countOnly && query.offset + query.count < page.total) {
    link.push({ relation: 'next', url: pageUrl(request.selfUrl, query.count, query.offset + query.count) });
  }
  if (!countOnly && query.offset > 0) {
    link.push({
      relation: 'previous',
      url: pageUrl(request.selfUrl, query.count, Math.max(0, query.offset - query.count)),
    });
  }
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { lastUpdated: new Date().toISOString() },
    type: 'searchset',
    total: page.total,
    link,
    ...(entries.length ? { entry: entries } : {}),
  };
}

function pageUrl(selfUrl: string, count: number, offset: number): string {
  const url = new URL(selfUrl);
  url.searchParams.set('_count', String(count));
  if (offset > 0) url.searchParams.set('_offset', String(offset));
  else url.searchParams.delete('_offset');
  return url.toString();
}

/** _include (references the matches hold) and _revinclude (resources that point at the matches). */
async function included(
  handlers: ReadonlyMap<string, ResourceHandler>,
  handler: ResourceHandler,
  ctx: RequestContext,
  matches: Resource[],
  common: Map<string, string[]>,
  env: FhirEnv,
  refuse: (text: string, name: string) => void,
): Promise<BundleEntry[]> {
  const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
  const out: BundleEntry[] = [];
  const add = (resource: Resource) => {
    const key = `${resource.resourceType}/${resource.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ fullUrl: `${env.fhirBase}/${key}`, resource, search: { mode: 'include' } });
  };
  for (const value of common.get('_include') ?? []) {
    const [type, param, target] = value.split(':');
    const refs = type === handler.type ? handler.references?.[param ?? ''] : undefined;
    if (!refs) {
      refuse(
        `_include=${value} is not supported (${
          Object.keys(handler.references ?? {})
            .map((p) => `${handler.type}:${p}`)
            .join(', ') || 'none'
        })`,
        '_include',
      );
      continue;
    }
    const references = new Set(matches.flatMap((m) => refs(m)).filter((r): r is string => !!r));
    const byType = new Map<string, string[]>();
    for (const reference of references) {
      const [refType, refId] = reference.split('/');
      if (!refType || !refId || (target && target !== refType) || !handlers.has(refType)) continue;
      byType.set(refType, [...(byType.get(refType) ?? []), refId]);
    }
    for (const [refType, ids] of byType) {
      const refHandler = handlers.get(refType)!;
      if (refHandler.readMany && ids.length > 1) {
        (await refHandler.readMany(ctx, ids, env)).forEach(add);
        continue;
      }
      for (const refId of ids) {
        const resource = await refHandler.read(ctx, refId, env).catch((error: unknown) => {
          if (error instanceof FhirError || (error as { code?: string }).code === 'not-found')
            return undefined;
          throw error;
        });
        if (resource) add(resource);
      }
    }
  }
  for (const value of common.get('_revinclude') ?? []) {
    const [type, param] = value.split(':');
    const source = type ? handlers.get(type) : undefined;
    if (!source?.search || !param || !(param in source.search.params) || !source.references?.[param]) {
      refuse(`_revinclude=${value} is not supported`, '_revinclude');
      continue;
    }
    for (const match of matches) {
      const page = await source.search.run(
        ctx,
        {
          params: new Map([[param, [`${match.resourceType}/${match.id}`]]]),
          count: MAX_REVINCLUDE,
          offset: 0,
        },
        env,
      );
      page.resources.forEach(add);
    }
  }
  return out;
}
