import type { RequestContext } from '../platform/context.js';
import { invalid } from '../platform/errors.js';
import type { RisDeps } from './ris-deps.js';
import { auditedRead } from './ris-transaction.js';

/**
 * An ordering provider as orders name them (ORC-12 / ServiceRequest.requester): the placer's id for them
 * and the name last given with it. The RIS keeps no provider directory; this is what its orders know.
 */
export interface OrderingProvider {
  id: string;
  name: string | null;
  orderCount: number;
  lastOrderedAt: string;
}

export interface OrderingProviderSearch {
  ids?: string[];
  /** Case-insensitive part of the name. */
  name?: string;
  limit: number;
  offset: number;
}

/** The ordering providers named in orders, grouped by their id. */
export function createOrderingProviders(deps: RisDeps) {
  return {
    search: (ctx: RequestContext, search: OrderingProviderSearch) =>
      auditedRead(
        deps,
        ctx,
        { action: 'ordering-provider.search', detail: { ...search } },
        async (db) => {
          if (!Number.isInteger(search.limit) || search.limit < 0 || search.limit > 1000) {
            throw invalid('limit must be a whole number from 0 to 1000');
          }
          let query = db.selectFrom('imaging_order').where('ordering_provider_id', 'is not', null);
          if (search.ids)
            query = query.where('ordering_provider_id', 'in', search.ids.length ? search.ids : ['']);
          if (search.name) {
            const like = `%${search.name.toLowerCase().replace(/[%_]/g, '')}%`;
            query = query.where((eb) => eb(eb.fn('lower', ['ordering_provider_name']), 'like', like));
          }
          const grouped = query
            .select((eb) => [
              'ordering_provider_id as id',
              eb.fn.max('ordering_provider_name').as('name'),
              eb.fn.countAll<number>().as('orderCount'),
              eb.fn.max('created_at').as('lastOrderedAt'),
            ])
            .groupBy('ordering_provider_id');
          const rows = await grouped.orderBy('ordering_provider_id').execute();
          const providers: OrderingProvider[] = rows.map((r) => ({
            id: r.id!,
            name: r.name ?? null,
            orderCount: Number(r.orderCount),
            lastOrderedAt: r.lastOrderedAt,
          }));
          return {
            total: providers.length,
            providers: providers.slice(search.offset, search.offset + search.limit),
          };
        },
        (result) => ({ detail: { total: result.total } }),
      ),
  };
}
