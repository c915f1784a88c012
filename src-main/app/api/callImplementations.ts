/** The type of the functions behind a group of API calls (validated requests in, responses out). */
import type { z } from 'zod';
import type { API_CALLS, ApiCallName, ApiParsedRequest } from '../../shared/api.js';

export type CallImplementations<K extends ApiCallName> = {
  [P in K]: (
    request: ApiParsedRequest<P>,
  ) => z.input<(typeof API_CALLS)[P]['response']> | Promise<z.input<(typeof API_CALLS)[P]['response']>>;
};
