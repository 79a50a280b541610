/** Serialises JSON with object keys sorted, so the checked-in document diffs cleanly. */
export function stableJson(value: unknown): string;
/** The TypeScript types for an OpenAPI document, exactly as written to src/openapi.generated.ts. */
export function renderTypes(document: unknown): Promise<string>;
