import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../platform/context.js';

// Who made an HTTP request, as the authentication hook found out; httpContext reads it for the services.
const actors = new WeakMap<FastifyRequest, Actor>();

export const setRequestActor = (request: FastifyRequest, actor: Actor): void =>
  void actors.set(request, actor);
export const requestActor = (request: FastifyRequest): Actor | undefined => actors.get(request);
