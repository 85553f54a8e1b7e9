// The one command-line parser of the headless runner and the benchmarks: `--name value` pairs and nothing else.
// An unknown flag, a flag given twice, a flag without its value and a value that is not the number it should be are
// refused with a message (a UsageError, which the scripts turn into exit status 2), so that a typo never runs a
// benchmark or a training run with a default the user meant to change.

export class UsageError extends Error {}

/**
 * @typedef {object} FlagSpec
 * @property {'string' | 'number' | 'integer' | 'list'} [type] how the value is read; 'string' when not given;
 *   'list' is comma-separated strings
 * @property {string | number | readonly string[]} [default] the value when the flag is not given (the flag is then
 *   never undefined)
 * @property {boolean} [required] refuse a command line without it
 * @property {readonly string[]} [choices] the only values allowed (strings; for a list, each item)
 * @property {number} [min] the smallest number allowed
 * @property {string} [value] the value's name in the usage line, e.g. DIR
 * @property {string} [help] what the flag does, for the usage text
 */

/**
 * @template {FlagSpec} F
 * @typedef {F extends { type: 'number' | 'integer' } ? number : F extends { type: 'list' } ? string[] : string} FlagType
 */

/**
 * @template {Record<string, FlagSpec>} S
 * @typedef {{ [K in keyof S]: S[K] extends { default: string | number | readonly string[] } | { required: true } ? FlagType<S[K]> : FlagType<S[K]> | undefined }} Flags
 */

/**
 * Reads `--name value` pairs against `spec`.
 * @template {Record<string, FlagSpec>} S
 * @param {S} spec
 * @param {readonly string[]} [argv]
 * @returns {Flags<S>}
 */
export function parseFlags(spec, argv = process.argv.slice(2)) {
  /** @type {Record<string, string | number | readonly string[] | undefined>} */
  const out = {};
  /** @type {Set<string>} */
  const given = new Set();
  for (let i = 0; i < argv.length; i += 2) {
    const arg = /** @type {string} */ (argv[i]);
    if (!arg.startsWith('--') || arg.length === 2) throw new UsageError(`unexpected argument "${arg}": flags are --name value pairs`);
    const name = arg.slice(2);
    const f = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!f) throw new UsageError(`unknown flag ${arg} (known: ${Object.keys(spec).map((k) => `--${k}`).join(', ') || 'none'})`);
    if (given.has(name)) throw new UsageError(`${arg} is given twice`);
    given.add(name);
    const raw = argv[i + 1];
    if (raw === undefined || raw.startsWith('--')) throw new UsageError(`${arg} needs a value${f.value ? ` (${f.value})` : ''}`);
    out[name] = readValue(arg, f, raw);
  }
  for (const [name, f] of Object.entries(spec)) {
    if (given.has(name)) continue;
    if (f.required) throw new UsageError(`--${name}${f.value ? ` ${f.value}` : ''} is required${f.help ? ` (${f.help})` : ''}`);
    out[name] = f.default;
  }
  return /** @type {Flags<S>} */ (out);
}

/**
 * @param {string} arg
 * @param {FlagSpec} f
 * @param {string} raw
 * @returns {string | number | string[]}
 */
function readValue(arg, f, raw) {
  if (f.type === 'list') {
    const items = raw.split(',').map((x) => x.trim());
    if (items.some((x) => x === '')) throw new UsageError(`${arg} must be a comma-separated list, got "${raw}"`);
    const bad = f.choices ? items.filter((x) => !f.choices?.includes(x)) : [];
    if (bad.length > 0) throw new UsageError(`${arg}: ${bad.join(', ')} not among ${f.choices?.join(', ')}`);
    return items;
  }
  if (f.type === 'number' || f.type === 'integer') {
    const n = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(n)) throw new UsageError(`${arg} must be a number, got "${raw}"`);
    if (f.type === 'integer' && !Number.isInteger(n)) throw new UsageError(`${arg} must be a whole number, got "${raw}"`);
    if (f.min !== undefined && n < f.min) throw new UsageError(`${arg} must be at least ${f.min}, got ${raw}`);
    return n;
  }
  if (f.choices && !f.choices.includes(raw)) throw new UsageError(`${arg} must be one of ${f.choices.join(', ')}, got "${raw}"`);
  return raw;
}

/**
 * The usage text: the command, then one line per flag.
 * @param {string} command e.g. "npm run bench:train --"
 * @param {Record<string, FlagSpec>} spec
 * @returns {string}
 */
export function usage(command, spec) {
  const lines = Object.entries(spec).map(([name, f]) => {
    const value = f.value ?? (f.type === 'number' || f.type === 'integer' ? 'N' : f.choices ? f.choices.join(f.type === 'list' ? ',' : '|') : 'VALUE');
    const flag = `--${name} ${value}`;
    const extra = [f.help, f.default !== undefined ? `default ${f.default}` : '', f.required ? 'required' : ''].filter(Boolean).join('; ');
    return `  ${flag.padEnd(28)} ${extra}`;
  });
  return [`usage: ${command} ${Object.entries(spec).map(([n, f]) => (f.required ? `--${n} ${f.value ?? 'VALUE'}` : `[--${n} …]`)).join(' ')}`, ...lines].join('\n');
}

/**
 * parseFlags for a script's top level: a bad command line prints the message and the usage text to stderr and exits
 * with status 2.
 * @template {Record<string, FlagSpec>} S
 * @param {string} command
 * @param {S} spec
 * @param {readonly string[]} [argv]
 * @returns {Flags<S>}
 */
export function flagsOrExit(command, spec, argv = process.argv.slice(2)) {
  try {
    return parseFlags(spec, argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${command}: ${err.message}\n${usage(command, spec)}`);
    process.exit(2);
  }
}
