export { createHttpServer, httpContext } from './http-server.js';
export { sendProblem } from './http-problem.js';
export { installHttpSecurity, checkCsrf, doorOf, BREAK_GLASS_HEADER } from './authenticate.js';
export {
  ACCESS_COOKIE,
  REFRESH_COOKIE,
  CSRF_COOKIE,
  CSRF_HEADER,
  parseCookies,
  serializeCookie,
} from './cookies.js';
export type { RegisteredRoute } from './route-registry.js';
export { installOpenApi } from './openapi.js';
export { listenHttps, type HttpsListener } from './https-listener.js';
export { requestActor, setRequestActor } from './request-actor.js';
export { MinuteCounts } from './minute-counts.js';
