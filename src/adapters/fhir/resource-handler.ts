import type { Resource } from '@medplum/fhirtypes';
import type { RequestContext } from '../../platform/context.js';

/** What every mapping may need to know about the request: absolute URLs are built from it. */
export interface FhirEnv {
  /** e.g. http://pacs.example:8042/fhir */
  fhirBase: string;
  /** e.g. http://pacs.example:8042 */
  serverBase: string;
  /** The DICOMweb door's path on the same server (Endpoint.address), e.g. /dicom-web. */
  dicomwebBase: string;
}

export type ParamType = 'token' | 'reference' | 'date' | 'string' | 'uri' | 'number';

export interface SearchQuery {
  /** Supported parameters given, by name (modifiers included in the name): each value as sent. */
  params: Map<string, string[]>;
  count: number;
  offset: number;
  /** The _sort asked for, key by key, each one of the handler's `sorts` (else left out). */
  sort?: SortKey[];
}

/** One key of _sort: `-date` is { key: 'date', descending: true }. */
export interface SortKey {
  key: string;
  descending: boolean;
}

export interface SearchPage {
  total: number;
  resources: Resource[];
}

/** One resource type of the door: its mapping onto a Lantern service, interaction by interaction. */
export interface ResourceHandler {
  type: Resource['resourceType'];
  read(ctx: RequestContext, id: string, env: FhirEnv): Promise<Resource>;
  /** Several at once (for _include), in one lookup; unknown ids are left out. Else `read` one by one. */
  readMany?(ctx: RequestContext, ids: string[], env: FhirEnv): Promise<Resource[]>;
  search?: {
    params: Record<string, { type: ParamType; documentation: string }>;
    /** The _sort keys accepted, each with its direction ('started', '-started'); several may be combined. */
    sorts: string[];
    run(ctx: RequestContext, query: SearchQuery, env: FhirEnv): Promise<SearchPage>;
  };
  create?(ctx: RequestContext, resource: Resource, env: FhirEnv): Promise<Resource>;
  /** `ifMatch`: the versionId of If-Match, checked again inside the change's transaction where supported. */
  update?(
    ctx: RequestContext,
    id: string,
    resource: Resource,
    env: FhirEnv,
    ifMatch?: string,
  ): Promise<Resource>;
  remove?(ctx: RequestContext, id: string): Promise<void>;
  /** _include: search parameter → the references a resource holds for it. */
  references?: Record<string, (resource: Resource) => (string | undefined)[]>;
  /** The FHIR element a domain error's `field` names (for OperationOutcome.issue.expression). */
  expressionOf?(field: string): string | undefined;
}
