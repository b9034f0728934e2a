/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for
 * tests: every line must be a HELP, a TYPE or a sample of a declared family
 * (histograms: _bucket with `le`, _sum, _count), label values properly
 * quoted and escaped, values floats. Anything else throws, naming the line.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('exposition must end with a newline');
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line === '') return;
    if (line.startsWith('# HELP ')) {
      const [name, ...rest] = line.slice(7).split(' ');
      if (!NAME.test(name!)) throw new Error(`bad metric name, ${where}`);
      helps.set(name!, rest.join(' '));
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (!NAME.test(name!) || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type!)) throw new Error(`bad TYPE, ${where}`);
      if (families.has(name!)) throw new Error(`duplicate TYPE, ${where}`);
      families.set(name!, { name: name!, help: helps.get(name!) ?? '', type: type as Family['type'], samples: [] });
      return;
    }
    if (line.startsWith('#')) return;
    const sample = parseSample(line, where);
    const family = familyOf(families, sample.name);
    if (!family) throw new Error(`sample of an undeclared family, ${where}`);
    if (family.type === 'histogram' && sample.name === `${family.name}_bucket` && !('le' in sample.labels)) throw new Error(`bucket without le, ${where}`);
    family.samples.push(sample);
  });
  return families;
}

function familyOf(families: Map<string, Family>, name: string): Family | undefined {
  const exact = families.get(name);
  if (exact) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const f = families.get(name.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
  if (!m) throw new Error(`not a sample, ${where}`);
  const labels: Record<string, string> = {};
  let rest = m[3] ?? '';
  while (rest.length > 0) {
    const lm = /^([^=]+)="((?:[^"\\]|\\["\\n])*)"(,|$)/.exec(rest);
    if (!lm || !LABEL.test(lm[1]!)) throw new Error(`bad labels, ${where}`);
    if (lm[1]! in labels) throw new Error(`duplicate label, ${where}`);
    labels[lm[1]!] = lm[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    rest = rest.slice(lm[0].length);
  }
  const raw = m[4]!;
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
  if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad value, ${where}`);
  return { name: m[1]!, labels, value };
}

/** The one sample of `name` whose labels include `labels`; throws when there is none or several. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const all = [...families.values()].flatMap((f) => f.samples).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (all.length !== 1) throw new Error(`${all.length} samples of ${name} ${JSON.stringify(labels)}`);
  return all[0]!.value;
}
