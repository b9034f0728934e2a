/**
 * An HTTP client for tests that checks every response against the node's
 * own /v1/openapi.json (ajv, JSON Schema 2020-12): the operation must be in
 * the document, the status must be documented for it, and the body must
 * validate against the documented schema. It records which operations were
 * exercised, so a test can require all of them.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import { expect } from 'vitest';

interface Operation { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
export interface OpenApiDoc { openapi: string; paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> }
export interface ApiResponse { status: number; json: Record<string, unknown>; text: string }

export class OpenApiClient {
  readonly exercised = new Set<string>();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

  private constructor(private readonly baseUrl: string, readonly doc: OpenApiDoc) {
    this.ajv.addSchema({ ...doc, $id: 'openapi.json' });
  }

  static async load(baseUrl: string): Promise<OpenApiClient> {
    const doc = (await (await fetch(`${baseUrl}/v1/openapi.json`)).json()) as OpenApiDoc;
    const client = new OpenApiClient(baseUrl, doc);
    client.exercised.add('get /v1/openapi.json');
    return client;
  }

  /** Every documented operation as "method /path/{param}". */
  operations(): string[] {
    return Object.entries(this.doc.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => m !== 'parameters').map((m) => `${m} ${path}`));
  }

  async call(method: string, path: string, opts: { body?: unknown; bearer?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
    const res = await fetch(this.baseUrl + path, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
    const text = await res.text();
    const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
    const json = (isJson && text ? JSON.parse(text) : {}) as Record<string, unknown>;
    this.check(method.toLowerCase(), new URL(path, 'http://x').pathname, res.status, isJson && text ? JSON.parse(text) : text || null, isJson);
    return { status: res.status, json, text };
  }

  private check(method: string, pathname: string, status: number, body: unknown, isJson: boolean): void {
    const template = Object.keys(this.doc.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname) && this.doc.paths[t]![method]);
    expect(template, `${method} ${pathname} is in /v1/openapi.json`).toBeDefined();
    this.exercised.add(`${method} ${template}`);
    const responses = this.doc.paths[template!]![method]!.responses;
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => responses[k]);
    expect(key, `${method} ${template} documents status ${status}`).toBeDefined();
    if (status === 204) return;
    const media = responses[key!]!.content;
    const entry = media?.['application/json'] ?? Object.values(media ?? {})[0];
    if (!entry || !isJson) return;
    const pointer = `openapi.json#/paths/${template!.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses/${key}/content/${Object.keys(media!)[0]!.replace(/\//g, '~1')}/schema`;
    const validate = this.ajv.getSchema(pointer);
    expect(validate, `schema ${pointer}`).toBeDefined();
    const ok = validate!(body);
    expect(ok, `${method} ${template} ${status}: ${JSON.stringify(validate!.errors)} in ${JSON.stringify(body).slice(0, 500)}`).toBe(true);
  }
}
