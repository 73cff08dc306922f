export { createHttpServer, httpContext } from './http-server.js';
export { sendProblem } from './http-problem.js';
