import { ciMetadata } from "../ci-metadata.js";
import { discoveryErrors } from "../discovery.js";
import { InvalidOptionError } from "../errors.js";
import { type DeploymentStatus, type QueryFn, readUsage, usageOf } from "../lifecycle/status.js";
import { listField, type Transport } from "../transport.js";
import type {
  DeploymentResponse,
  DetailedDeploymentResponse,
  RegisterDeploymentRequest,
  RegisterDeploymentResponse,
  UpdateDeploymentRequest,
} from "../types.js";
import { headerMap } from "../validate.js";

/** What to register: an HTTP endpoint, or a Lambda function (optionally invoked through an assumed role). */
export type DeploymentTarget = { uri: string } | { arn: string; assumeRoleArn?: string };

export interface RegisterOptions {
  /** Replace an existing deployment with the same address, even with breaking changes. Default false. */
  force?: boolean;
  /** Allow schema-incompatible changes to existing services without replacing the deployment. Default false. */
  breaking?: boolean;
  /** Run discovery and report the result without registering anything. Default false. */
  dryRun?: boolean;
  /** Additional headers Restate sends with every request to this deployment (e.g. a platform API key). */
  headers?: Record<string, string>;
  /** Discover over HTTP/1.1 instead of HTTP/2 (HTTP targets only; request-response mode). */
  useHttp11?: boolean;
  /** Deployment metadata stored by Restate (shown in the UI and `deployments.get`). Wins over `ciEnvironment`. */
  metadata?: Record<string, string>;
  /**
   * Fill metadata from these CI variables (e.g. `process.env`) as the Restate CLI does:
   * `GITHUB_REPOSITORY` → `github.repository`, `GITHUB_RUN_ID` → `github.actions.run.id`,
   * `GITHUB_SHA` → `git.commit.sha`. Keys given in `metadata` win.
   */
  ciEnvironment?: Readonly<Record<string, string | undefined>>;
  /**
   * HTTP targets only: Restate mints a Google-signed ID token for every request to the deployment and
   * sends it as `X-Serverless-Authorization: Bearer …` (Cloud Run), from its own Google credentials.
   * `audience` defaults to the deployment URL's origin; `impersonateServiceAccount` mints for that
   * service account instead of the ambient identity. Admin API v4 (restate-server ≥ 1.7).
   */
  googleIdToken?: true | { audience?: string; impersonateServiceAccount?: string };
}

export type RegisterResult = RegisterDeploymentResponse & {
  /** `true` when the server created a new deployment (201), `false` when it already existed or was overwritten (200). */
  created: boolean;
};

/** A deployment as listed, with how it is used right now (see `DeploymentStatus`). */
export type ListedDeployment = DeploymentResponse & {
  status: DeploymentStatus;
  /** Services whose latest revision this deployment serves. */
  latest_for: string[];
  /** Invocations, not completed, pinned to this deployment or whose last attempt ran on it. */
  bound_invocations: number;
};

export interface DeploymentsApi {
  /**
   * Registers a deployment and discovers its services. Idempotent for an unchanged deployment, so it is
   * retried on connection errors, 429 and 5xx.
   *
   * @example
   * const { id, services } = await admin.deployments.register({ uri: "https://my-service.example.com" });
   * await admin.deployments.register({ arn: "arn:aws:lambda:eu-central-1:123456789012:function:greeter:3", assumeRoleArn });
   */
  register(target: DeploymentTarget, options?: RegisterOptions): Promise<RegisterResult>;
  /**
   * Every deployment with its status (`active`, `draining`, `drained`), the services it serves the
   * latest revision of, and the invocations still bound to it, from the admin SQL tables.
   *
   * @example
   * const drained = (await admin.deployments.list()).filter((d) => d.status === "drained");
   */
  list(): Promise<ListedDeployment[]>;
  get(id: string): Promise<DetailedDeploymentResponse>;
  /**
   * Changes a deployment in place (`PATCH /deployments/{id}`), keeping its id, services and metadata:
   * rotate its `additional_headers` (they replace all previous ones) or its `assume_role_arn`, move
   * its `uri`/`arn`. restate-server contacts the deployment again with the new settings before it
   * accepts the change; schemas are only re-registered with `overwrite: true`.
   *
   * @example
   * await admin.deployments.update(id, { additional_headers: { "x-vercel-protection-bypass": newSecret } });
   */
  update(id: string, changes: UpdateDeploymentRequest): Promise<DetailedDeploymentResponse>;
  /** Removes a deployment. Without `force` the server refuses while it still serves services. */
  remove(id: string, options?: { force?: boolean }): Promise<void>;
}

export function registerBody(target: DeploymentTarget, options: RegisterOptions = {}): RegisterDeploymentRequest {
  if (typeof target !== "object" || target === null)
    throw new InvalidOptionError("target", "expected { uri } or { arn }");
  const common = {
    force: options.force ?? false,
    breaking: options.breaking ?? false,
    dry_run: options.dryRun ?? false,
    additional_headers: headerMap("headers", options.headers),
    metadata: metadataOf(options),
  };
  if ("uri" in target && "arn" in target) throw new InvalidOptionError("target", "give either uri or arn, not both");
  if ("uri" in target) {
    let url: URL;
    try {
      url = new URL(target.uri);
    } catch {
      throw new InvalidOptionError("target.uri", "not an absolute URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new InvalidOptionError("target.uri", `expected http: or https:, got ${url.protocol}`);
    }
    // restate-server 1.7 does not send them (discovery fails with an HTTP/2 protocol error) but quotes
    // the address, credentials included, in its error and stores it for every listing.
    if (url.username || url.password) {
      throw new InvalidOptionError("target.uri", "credentials in the URL are not supported; pass them in `headers`");
    }
    const auth = googleIdTokenAuth(options.googleIdToken);
    return { uri: target.uri, use_http_11: options.useHttp11 ?? false, ...common, ...(auth ? { auth } : {}) };
  }
  if ("arn" in target) {
    if (typeof target.arn !== "string" || !/^arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(target.arn)) {
      throw new InvalidOptionError(
        "target.arn",
        "expected arn:<partition>:lambda:<region>:<account>:function:<name>[:<version>]",
      );
    }
    if (options.useHttp11) throw new InvalidOptionError("useHttp11", "applies to HTTP deployments only");
    if (options.googleIdToken) {
      throw new InvalidOptionError("googleIdToken", "applies to HTTP deployments only (Lambda uses assumeRoleArn)");
    }
    const role = target.assumeRoleArn;
    if (role !== undefined && !/^arn:[^:]+:iam::\d{12}:role\/.+$/.test(role)) {
      throw new InvalidOptionError("target.assumeRoleArn", "expected arn:<partition>:iam::<account>:role/<name>");
    }
    return { arn: target.arn, assume_role_arn: role, ...common };
  }
  throw new InvalidOptionError("target", "expected { uri } or { arn }");
}

function updateBody(changes: UpdateDeploymentRequest): UpdateDeploymentRequest {
  if (typeof changes !== "object" || changes === null) throw new InvalidOptionError("changes", "expected an object");
  headerMap("changes.additional_headers", changes.additional_headers ?? undefined);
  const role = "assume_role_arn" in changes ? changes.assume_role_arn : undefined;
  if (role !== undefined && role !== null && !/^arn:[^:]+:iam::\d{12}:role\/.+$/.test(role)) {
    throw new InvalidOptionError("changes.assume_role_arn", "expected arn:<partition>:iam::<account>:role/<name>");
  }
  const uri = "uri" in changes ? changes.uri : undefined;
  if (typeof uri === "string" && /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(uri)) {
    throw new InvalidOptionError(
      "changes.uri",
      "credentials in the URL are not supported; pass them in `additional_headers`",
    );
  }
  if ("uri" in changes && "arn" in changes && changes.uri != null && changes.arn != null) {
    throw new InvalidOptionError("changes", "give either uri or arn, not both");
  }
  return changes;
}

function metadataOf(options: RegisterOptions): Record<string, string> | undefined {
  const fromCi = options.ciEnvironment === undefined ? {} : ciMetadata(options.ciEnvironment);
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (typeof value !== "string") throw new InvalidOptionError("metadata", `the value of "${key}" must be a string`);
  }
  const merged = { ...fromCi, ...options.metadata };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

type HttpAuth = NonNullable<Extract<RegisterDeploymentRequest, { uri: string }>["auth"]>;

function googleIdTokenAuth(choice: RegisterOptions["googleIdToken"]): HttpAuth | undefined {
  if (choice === undefined || (choice as unknown) === false) return undefined;
  const { audience, impersonateServiceAccount } = choice === true ? {} : choice;
  if (audience !== undefined && !/^[^\s]+$/.test(audience)) {
    throw new InvalidOptionError("googleIdToken.audience", "must be a non-empty string without spaces");
  }
  if (impersonateServiceAccount !== undefined && !/^[^@\s]+@[^@\s]+$/.test(impersonateServiceAccount)) {
    throw new InvalidOptionError("googleIdToken.impersonateServiceAccount", "expected a service account email");
  }
  return {
    GoogleIdToken: {
      ...(audience === undefined ? {} : { audience }),
      ...(impersonateServiceAccount === undefined ? {} : { impersonate_service_account: impersonateServiceAccount }),
    },
  };
}

export function deploymentsApi(transport: Transport, query: QueryFn): DeploymentsApi {
  return {
    async register(target, options) {
      const body = registerBody(target, options);
      const answer = await transport.request("post", "/deployments", {
        body,
        idempotent: true,
        mapError: discoveryErrors(body.additional_headers, "uri" in body ? body.uri : undefined),
      });
      listField(answer.body, "services", "POST /deployments");
      return { ...answer.body, created: answer.status === 201 };
    },
    async list() {
      // Deployments first, usage second: a deployment registered in between can only make an older one
      // look superseded, never make a new one look drained.
      const answer = await transport.request("get", "/deployments", { idempotent: true });
      const deployments = listField(answer.body, "deployments", "GET /deployments");
      const snapshot = await readUsage(query);
      return deployments.map((deployment) => {
        const usage = usageOf(deployment, snapshot);
        return {
          ...deployment,
          status: usage.status,
          latest_for: usage.latestFor,
          bound_invocations: usage.boundInvocations,
        };
      });
    },
    async get(id) {
      const answer = await transport.request("get", "/deployments/{deployment}", {
        path: { deployment: id },
        idempotent: true,
      });
      return answer.body;
    },
    async update(id, changes) {
      const answer = await transport.request("patch", "/deployments/{deployment}", {
        path: { deployment: id },
        body: updateBody(changes),
        idempotent: true,
        // A changed address or `overwrite` makes the server discover the deployment again.
        mapError: discoveryErrors(changes.additional_headers, "uri" in changes ? changes.uri : undefined),
      });
      return answer.body;
    },
    async remove(id, options) {
      await transport.request("delete", "/deployments/{deployment}", {
        path: { deployment: id },
        query: { force: options?.force ?? false },
        idempotent: false,
        json: false,
      });
    },
  };
}
