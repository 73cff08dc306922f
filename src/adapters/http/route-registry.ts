import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../platform/log/index.js';
import { routeAccess, UNMAPPED_ROUTE_ACCESS, type RouteAccess } from './route-permissions.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess;
  /** False when no rule names the route and it fell back to administrator-only. */
  mapped: boolean;
}

/**
 * Records every route as it is registered, with what it needs: the list behind GET /api/admin/routes and
 * the test that walks every route. Must be installed before any route is registered.
 */
export function recordRoutes(app: FastifyInstance, log: Logger): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const access = routeAccess(method, route.url);
      if (access === undefined) {
        log.warn({ method, url: route.url }, 'route has no permission rule: administrators only');
      }
      routes.push({
        method,
        url: route.url,
        access: access ?? UNMAPPED_ROUTE_ACCESS,
        mapped: access !== undefined,
      });
    }
  });
  return routes;
}

/** The access a request's route needs (the routes list already knows; unknown routes are treated alike). */
export function accessOf(method: string, url: string): RouteAccess {
  return routeAccess(method, url) ?? UNMAPPED_ROUTE_ACCESS;
}
