import type { AdminClientError } from "./errors.js";
import type { paths } from "./openapi.generated.js";

/**
 * Request and response types by path literal and method, read from the generated `paths` the way
 * openapi-fetch does: a path the server does not serve, a method it does not allow there, a missing
 * path parameter or a body of the wrong shape is a compile error, and a regenerated document that
 * changes a shape breaks the build here, not at run time.
 */
export type HttpMethod = "get" | "put" | "post" | "delete" | "patch";

/** The paths that accept `method` (the generated type marks the others `method?: never`). */
export type PathsWithMethod<M extends HttpMethod> = {
  [P in keyof paths]: paths[P] extends { [K in M]: unknown } ? P : never;
}[keyof paths];

/** The generated operation for one path and method. */
export type OperationOf<P extends keyof paths, M extends HttpMethod> = paths[P] extends { [K in M]: infer Op }
  ? Op
  : never;

type Parameters<Op> = Op extends { parameters: infer Params } ? Params : never;

/** The `{name}` parameters of the path template (`{ deployment: string }`), or `never` when there are none. */
export type PathParams<Op> = Parameters<Op> extends { path: infer Path } ? Path : never;

/** The query parameters the operation documents, or `never`. */
export type QueryParams<Op> = Parameters<Op> extends { query?: infer Query } ? Query : never;

/** The JSON body the operation requires, or `never` when it takes none. */
export type RequestBody<Op> = Op extends { requestBody: { content: { "application/json": infer Body } } }
  ? Body
  : never;

type SuccessStatus = 200 | 201 | 202 | 204;

/** The JSON body of the operation's success answers (`undefined` for answers without content). */
export type ResponseBody<Op> = Op extends { responses: infer Responses }
  ? {
      [S in keyof Responses & SuccessStatus]: Responses[S] extends { content: { "application/json": infer Body } }
        ? Body
        : undefined;
    }[keyof Responses & SuccessStatus]
  : never;

type IfPresent<Key extends string, Value> = [Value] extends [never]
  ? { [K in Key]?: never }
  : undefined extends Value
    ? { [K in Key]?: Value }
    : { [K in Key]: Value };

/** What a call of one operation takes besides its method and path. */
export type RequestOptions<Op> = IfPresent<"path", PathParams<Op>> &
  IfPresent<"query", QueryParams<Op>> &
  IfPresent<"body", RequestBody<Op>> & {
    /** Safe to repeat: retried on connection errors, timeouts, 429 and 5xx. */
    idempotent: boolean;
    /** `false` to skip reading a JSON body (e.g. a 202 without content). Default true. */
    json?: boolean;
    /** This request's per-attempt timeout instead of the client's (e.g. a readiness probe's remaining budget). */
    timeoutMs?: number;
    /** Turns an attempt's error into the operation's own (e.g. a discovery failure that retrying cannot fix). */
    mapError?: (error: AdminClientError) => AdminClientError;
  };
