import { type EnvelopeInfo, inspectValue, openEnvelope } from "../inspect.js";
import type { KeyProvider } from "../key-provider.js";
import type { StateAdmin } from "./admin.js";
import { keyLabel, namesKey } from "./key-match.js";
import { readAllState } from "./store.js";

export interface AuditStateOptions {
  admin: StateAdmin;
  /** Only these services (default: every service with state). */
  services?: readonly string[];
  /**
   * Keys that are acceptable (local ids, KMS key ARNs or key ids). With it, a value under any other
   * key is a finding, and so is a reference-format value (its key cannot be told without KMS).
   */
  allowedKeyIds?: readonly string[];
  /** Also open every value with these providers (one per kind) to find values that do not decrypt. */
  verifyWith?: readonly KeyProvider[];
}

/** Counts for one service. */
export interface ServiceAudit {
  service: string;
  objects: number;
  values: number;
  /** Values per `<provider>:<key id>` (version-2 KMS envelopes: by fingerprint, see README). */
  keys: Record<string, number>;
  plaintext: number;
  referenceFormat: number;
  /** Values that cannot be read, per reason code (`invalid_envelope`, `authentication_failed`…). */
  undecodable: Record<string, number>;
  /** Values under a key outside `allowedKeyIds`. */
  notAllowed: number;
}

export interface AuditFinding {
  service: string;
  objectKey: string;
  stateKey: string;
  finding: "plaintext" | "not_allowed" | "undecodable";
  /** For undecodable values: the error code; for keys outside the list: the key. */
  detail?: string;
}

export interface AuditReport {
  services: ServiceAudit[];
  totals: Omit<ServiceAudit, "service">;
  /** The first findings (at most 100), for a look at where they are. */
  findings: AuditFinding[];
  /** True when nothing is plaintext, outside the allow-list or undecodable. */
  clean: boolean;
}

const MAX_FINDINGS = 100;

function emptyCounts(): Omit<ServiceAudit, "service"> {
  return { objects: 0, values: 0, keys: {}, plaintext: 0, referenceFormat: 0, undecodable: {}, notAllowed: 0 };
}

function add(into: Omit<ServiceAudit, "service">, from: Omit<ServiceAudit, "service">): void {
  into.objects += from.objects;
  into.values += from.values;
  into.plaintext += from.plaintext;
  into.referenceFormat += from.referenceFormat;
  into.notAllowed += from.notAllowed;
  for (const [key, n] of Object.entries(from.keys)) into.keys[key] = (into.keys[key] ?? 0) + n;
  for (const [key, n] of Object.entries(from.undecodable)) into.undecodable[key] = (into.undecodable[key] ?? 0) + n;
}

/**
 * Reads every stored state value through the admin SQL API and counts, per service, the values
 * under each key, in plaintext, in the reference format, and undecodable (with the reason). Needs
 * no keys unless `verifyWith` is given; never prints or returns a value.
 *
 * @example
 * ```ts
 * const report = await auditState({ admin, allowedKeyIds: ["2026-06"] });
 * if (!report.clean) process.exitCode = 1;
 * ```
 */
export async function auditState(options: AuditStateOptions): Promise<AuditReport> {
  const allowed = options.allowedKeyIds ?? [];
  const objects = await readAllState(options.admin, options.services);
  const byService = new Map<string, ServiceAudit>();
  const findings: AuditFinding[] = [];
  const note = (finding: AuditFinding) => {
    if (findings.length < MAX_FINDINGS) findings.push(finding);
  };
  const isAllowed = (info: EnvelopeInfo) => allowed.some((id) => namesKey(info, id) !== "no");

  for (const object of objects) {
    let audit = byService.get(object.service);
    if (!audit) {
      audit = { service: object.service, ...emptyCounts() };
      byService.set(object.service, audit);
    }
    audit.objects++;
    for (const [stateKey, value] of object.state) {
      audit.values++;
      const where = { service: object.service, objectKey: object.objectKey, stateKey };
      const info = inspectValue(value);
      if (info.format === "plaintext") {
        audit.plaintext++;
        note({ ...where, finding: "plaintext" });
        continue;
      }
      if (info.format === "invalid") {
        audit.undecodable[info.code] = (audit.undecodable[info.code] ?? 0) + 1;
        note({ ...where, finding: "undecodable", detail: info.code });
        continue;
      }
      if (info.format === "reference") {
        audit.referenceFormat++;
        if (allowed.length > 0) {
          audit.notAllowed++;
          note({ ...where, finding: "not_allowed", detail: "reference format" });
        }
      } else {
        const label = keyLabel(info, allowed);
        audit.keys[label] = (audit.keys[label] ?? 0) + 1;
        if (allowed.length > 0 && !isAllowed(info)) {
          audit.notAllowed++;
          note({ ...where, finding: "not_allowed", detail: label });
        }
      }
      const provider = options.verifyWith?.find((candidate) => candidate.kind === info.provider);
      if (options.verifyWith && provider) {
        try {
          (await openEnvelope(value, provider, { readReferenceFormat: true })).fill(0);
        } catch (error) {
          const code = String((error as { code?: unknown }).code ?? "error");
          audit.undecodable[code] = (audit.undecodable[code] ?? 0) + 1;
          note({ ...where, finding: "undecodable", detail: code });
        }
      }
    }
  }

  const services = [...byService.values()];
  const totals = emptyCounts();
  for (const service of services) add(totals, service);
  const undecodable = Object.values(totals.undecodable).reduce((a, b) => a + b, 0);
  return { services, totals, findings, clean: totals.plaintext === 0 && totals.notAllowed === 0 && undecodable === 0 };
}
